"""The reply standards enforced at save: each refusal names the problem (and the line when there is one)."""

from reply_templates import Problem, default_catalog, lint


def problems(key: str, body: str, fields: dict[str, str] | None = None) -> list[Problem]:
    catalog = default_catalog()
    return lint(catalog.get(key), body, fields, negative_phrases=catalog.negative_phrases)


def codes(found: list[Problem]) -> list[str]:
    return [p.code for p in found]


def test_a_forbidden_phrase_is_refused_with_its_line() -> None:
    found = problems("menu.human", "您好。\n这事不归我们管，热线 {{ hotline }}")
    assert codes(found) == ["negative_phrase"]
    assert found[0].line == 2 and "不归我们管" in found[0].message_zh


def test_a_forbidden_phrase_in_a_branch_never_taken_with_samples_is_still_refused() -> None:
    body = "{% if masked_phone %}打 {{ masked_phone }} 可以吗？{% else %}我也 没办法{% endif %}"
    assert "negative_phrase" in codes(problems("report.ask_phone", body))


def test_a_syntax_error_is_refused_with_its_line() -> None:
    found = problems("report.filed", "已提交。\n工单号 {{ number }}\n{% if grid_name %}由{{ grid_name }}处理")
    assert codes(found) == ["syntax"]
    assert found[0].line == 3
    assert "第 3 行" in found[0].message_zh
    assert "{% endif %}" in found[0].message_zh and "Jinja" not in found[0].message_zh


def test_syntax_errors_are_explained_in_chinese() -> None:
    for body, said in (("工单 {{ number }", "}"), ("{% endif %}", "多出了"), ("工单 {{ number grid }}", "此处应为"),
                       ('{{ "abc }}', "引号")):
        message = problems("report.filed", body)[0].message_zh
        assert said in message and not any(w in message for w in ("xpected", "ncountered", "token")), message


def test_an_undeclared_variable_is_refused_with_its_line_and_the_declared_names() -> None:
    found = problems("report.filed", "工单号 {{ number }}\n请拨打 {{ phone }}")
    assert codes(found) == ["undeclared_variable"]
    assert found[0].line == 2
    assert "phone" in found[0].message_zh and "number" in found[0].message_zh


def test_loop_variables_and_declared_lists_are_fine() -> None:
    body = "{% for c in choices %}{{ loop.index }}. {{ c.name }}\n{% endfor %}都不是请发位置。"
    assert problems("report.category_choices", body) == []


def test_an_empty_reply_is_refused() -> None:
    assert codes(problems("menu.help", "  \n ")) == ["empty"]
    assert codes(problems("report.ask_phone", "{% if masked_phone %}{% endif %}")) == ["empty_result"]


def test_a_reply_over_the_wechat_text_limit_is_refused() -> None:
    found = problems("menu.help", "请回复“人工”。" * 200)
    assert codes(found) == ["too_long"]
    assert "2048" in found[0].message_zh


def test_an_over_long_push_field_is_refused() -> None:
    fields = {
        "character_string1": "{{ number }}",
        "phrase2": "{{ status_text }}",
        "thing3": "{{ note }}，详情请在公众号里回复进度查看",
        "thing4": "{{ department or '网格服务中心' }}",
        "time5": "{{ time }}",
    }
    found = problems("status.changed", "工单 {{ number }} 有新进展。", fields)
    assert codes(found) == ["field_too_long"]
    assert "thing3" in found[0].message_zh and "20" in found[0].message_zh


def test_a_push_field_with_a_line_break_or_an_unknown_name_is_refused() -> None:
    fields = {"character_string1": "{{ number }}\n请评价", "thing2": "请回复1-3", "thing3": "谢谢", "thing9": "多余"}
    assert sorted(codes(problems("rating.ask", "工单 {{ number }} 已办结，请回复 {{ options }}。", fields))) == [
        "field_newline",
        "unknown_field",
    ]


def test_fields_on_a_text_template_are_refused() -> None:
    assert codes(problems("menu.help", "回复“人工”联系工作人员。", {"thing1": "x"})) == ["fields_not_allowed"]


def test_the_sandbox_refuses_reaching_into_python() -> None:
    found = problems("report.back", "{{ step.__class__.__mro__[1].__subclasses__() }}")
    assert codes(found) == ["render"]


def test_runaway_repetition_is_refused_instead_of_exhausting_memory() -> None:
    assert codes(problems("report.back", "{{ step * 100000000 }}")) == ["too_much_work"]
    assert codes(problems("report.back", "{{ 9 ** 999999 }}")) == ["too_much_work"]
    assert problems("report.back", "{{ '—' * 10 }}回到“{{ step }}”") == []


def test_the_rating_prompts_may_be_reworded_around_their_options() -> None:
    for key in ("rating.ask", "rating.not_understood"):
        assert problems(key, "您好，工单已经办好了，麻烦您给我们打个分：\n{{ options }}") == []


def test_a_rating_prompt_that_drops_or_retypes_its_options_is_refused() -> None:
    for body in (
        "工单 {{ number }} 已办结，请您评价。",  # dropped
        "工单 {{ number }} 已办结，请回复 1 不满意，2 基本满意，3 满意。",  # typed by hand, reordered
        "工单 {{ number }} 已办结，请回复 1 满意，2 基本满意，3 不满意。",  # typed by hand, same words today
        "{% if rating_days == 0 %}{{ options }}{% endif %}工单 {{ number }} 已办结，请评价。",  # never shown
        "工单 {{ number }} 已办结，请回复 {{ options | replace('1', '3') }}。",  # changed on the way
        "工单 {{ number }} 已办结，请回复 {{ options[:9] }}。",  # cut short
    ):
        found = problems("rating.ask", body)
        assert codes(found) == ["missing_variable"], body
        assert "{{ options }}" in found[0].message_zh and "1 满意，2 基本满意，3 不满意" in found[0].message_zh
    assert codes(problems("rating.not_understood", "没读懂，请重新评价。")) == ["missing_variable"]
