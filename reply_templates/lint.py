"""The centre's reply standards, checked when a template is saved.

A body (and, for push templates, each field) must parse, use only the variables its key declares, render
with the sample values, not be empty, fit WeChat's limits (2,048 bytes for text; 20 characters and one
line per push field) and contain no phrase of the negative list, in any branch. A body must also show each
required variable whole (the rating prompts' numbered options: staff reword the sentence, not the options).

A template is untrusted code, so it must also stay small with real values, not only with the samples: it
is rendered once more with adversarial values (long texts, long lists, huge numbers) within the render
budget, and loops whose length comes from a variable (``range(n)``), recursive loops and macros that call
themselves are refused outright.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes

from reply_templates.bounds import RenderLimitExceeded
from reply_templates.catalog import TemplateSpec
from reply_templates.environment import (
    LOOP_GUARD,
    PUSH_FIELD_LIMIT_CHARS,
    WECHAT_TEXT_LIMIT_BYTES,
    make_environment,
    render,
)
from reply_templates.errors import Problem
from reply_templates.syntax_zh import syntax_message

_ENV = make_environment()
_SPACE = re.compile(r"\s+")


def lint(
    spec: TemplateSpec,
    body: str,
    fields: Mapping[str, str] | None = None,
    *,
    negative_phrases: Sequence[str] = (),
) -> list[Problem]:
    """Every problem of ``body`` (and ``fields``) for ``spec``'s key; empty when it may be saved."""
    problems = _lint_part(spec, body, None, negative_phrases)
    if spec.is_push:
        problems += _lint_fields(spec, fields if fields is not None else spec.fields or {}, negative_phrases)
    elif fields:
        problems.append(Problem(None, "fields_not_allowed", "这条回复不是模板消息推送，不能设置推送字段。"))
    return problems


def _where(field: str | None) -> str:
    return f"推送字段“{field}”" if field else "回复"


def _line(line: int | None) -> str:
    return f"第 {line} 行" if line else ""


def _lint_part(
    spec: TemplateSpec, source: str, field: str | None, negative_phrases: Sequence[str]
) -> list[Problem]:
    where = _where(field)
    if not source.strip():
        return [Problem(None, "empty", f"{where}内容为空，请填写要对居民说的话。")]
    try:
        ast = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        said = syntax_message(exc.message or "")
        return [Problem(exc.lineno, "syntax", f"{where}{_line(exc.lineno)}模板语法有误：{said}")]
    problems = _undeclared(spec, ast, where) + _unbounded(ast, where)
    rendered: list[str] = []
    if not problems:
        template = _ENV.from_string(ast)
        for variables in _variants(spec):
            try:
                rendered.append(render(template, variables))
            except RenderLimitExceeded:
                problems.append(_too_much_work(where))
                break
            except Exception as exc:
                problems.append(Problem(None, "render", f"{where}用示例值生成时出错：{exc}"))
                break
        if not problems:
            try:
                render(template, _adversarial(spec.samples()))
            except RenderLimitExceeded:
                problems.append(_too_much_work(where))
            except Exception:  # odd values may break a filter; only runaway work is refused here
                pass
    if field is None:
        problems += _required(spec, ast, rendered)
    problems += _negative(source, rendered, negative_phrases, where)
    for text in rendered:
        limits = _limits(text, field, where)
        if limits:
            return problems + limits
    return problems


def _variants(spec: TemplateSpec) -> list[dict[str, Any]]:
    """The sample values, and the samples with every optional variable left at its default."""
    samples = spec.samples()
    variants = [samples]
    if spec.defaults():
        variants.append({**samples, **spec.defaults()})
    return variants


def _too_much_work(where: str) -> Problem:
    return Problem(None, "too_much_work", f"{where}在内容较长时生成得过慢或过长（可能是循环过多），请简化。")


def _adversarial(value: Any) -> Any:
    """A real message's worst case for a sample value: long texts, long lists, huge numbers."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return ((value or "长") * (200 // max(len(value), 1) + 1))[:200]
    if isinstance(value, int):
        return 10**12
    if isinstance(value, float):
        return 1e12
    if isinstance(value, list | tuple):
        items = [_adversarial(item) for item in value] or ["长" * 200]
        return (items * (20 // len(items) + 1))[:20]
    if isinstance(value, Mapping):
        return {key: _adversarial(item) for key, item in value.items()}
    return value


def _unbounded(ast: nodes.Template, where: str) -> list[Problem]:
    """Loops whose length a variable decides, recursive loops and macros calling themselves."""
    problems = []
    for loop in ast.find_all(nodes.For):
        iterable = loop.iter
        if isinstance(iterable, nodes.Filter) and iterable.name == LOOP_GUARD and iterable.node is not None:
            iterable = iterable.node
        if loop.recursive or (
            isinstance(iterable, nodes.Call) and isinstance(iterable.node, nodes.Name)
            and iterable.node.name == "range" and not all(isinstance(a, nodes.Const) for a in iterable.args)
        ):
            problems.append(Problem(loop.lineno, "unbounded_loop",
                                    f"{where}{_line(loop.lineno)}的循环次数不固定，请只对给定的列表循环。"))
    for macro in ast.find_all(nodes.Macro):
        if any(isinstance(c.node, nodes.Name) and c.node.name == macro.name for c in macro.find_all(nodes.Call)):
            problems.append(Problem(macro.lineno, "unbounded_loop",
                                    f"{where}{_line(macro.lineno)}的宏调用了自己，请不要递归。"))
    return problems


def _undeclared(spec: TemplateSpec, ast: nodes.Template, where: str) -> list[Problem]:
    allowed = set(spec.variables) | set(_ENV.globals)
    unknown = meta.find_undeclared_variables(ast) - allowed
    if not unknown:
        return []
    lines: dict[str, int | None] = {}
    for node in ast.find_all(nodes.Name):
        if node.name in unknown and node.name not in lines:
            lines[node.name] = node.lineno
    declared = "、".join(spec.variables) or "无"
    return [
        Problem(
            lines.get(name),
            "undeclared_variable",
            f"{where}{_line(lines.get(name))}使用了未声明的变量“{name}”（可用变量：{declared}）。",
        )
        for name in sorted(unknown, key=lambda n: (lines.get(n) or 0, n))
    ]


def _required(spec: TemplateSpec, ast: nodes.Template, rendered: Sequence[str]) -> list[Problem]:
    """A required variable must be in the body and show as given: its sample, whole, in every rendering."""
    used = meta.find_undeclared_variables(ast)
    return [
        Problem(
            None,
            "missing_variable",
            f"回复必须原样保留“{{{{ {name} }}}}”：{var.description}（如“{var.sample}”）。请只修改它前后的文字。",
        )
        for name, var in spec.variables.items()
        if var.required and (name not in used or not all(str(var.sample) in text for text in rendered))
    ]


def _negative(
    source: str, rendered: Iterable[str], phrases: Sequence[str], where: str
) -> list[Problem]:
    problems = []
    source_lines = [_SPACE.sub("", line) for line in source.splitlines()]
    outputs = [_SPACE.sub("", text) for text in rendered]
    for phrase in phrases:
        needle = _SPACE.sub("", phrase)
        if not needle:
            continue
        line = next((i for i, text in enumerate(source_lines, 1) if needle in text), None)
        if line is None and not any(needle in text for text in outputs):
            continue
        problems.append(
            Problem(line, "negative_phrase", f"{where}{_line(line)}含有禁用语“{phrase}”，请换一种说法。")
        )
    return problems


def _limits(text: str, field: str | None, where: str) -> list[Problem]:
    if not text.strip():
        return [Problem(None, "empty_result", f"{where}按示例值生成后是空的，居民会收到一条空消息。")]
    if field is None:
        size = len(text.encode("utf-8"))
        if size > WECHAT_TEXT_LIMIT_BYTES:
            return [
                Problem(
                    None,
                    "too_long",
                    f"回复按示例值生成后有 {size} 字节，"
                    f"超过微信文字消息 {WECHAT_TEXT_LIMIT_BYTES} 字节的上限，请精简。",
                )
            ]
        return []
    if "\n" in text or "\r" in text:
        return [Problem(None, "field_newline", f"{where}不能换行。")]
    if len(text) > PUSH_FIELD_LIMIT_CHARS:
        return [
            Problem(
                None,
                "field_too_long",
                f"{where}按示例值生成后有 {len(text)} 个字，"
                f"超过微信模板消息每项 {PUSH_FIELD_LIMIT_CHARS} 字的上限。",
            )
        ]
    return []


def _lint_fields(
    spec: TemplateSpec, fields: Mapping[str, str], negative_phrases: Sequence[str]
) -> list[Problem]:
    expected = set(spec.fields or {})
    names = "、".join(sorted(expected))
    problems = [
        Problem(None, "unknown_field", f"推送字段“{name}”不在这条模板消息的字段中（应为：{names}）。")
        for name in sorted(set(fields) - expected)
    ]
    problems += [
        Problem(None, "missing_field", f"缺少推送字段“{name}”。") for name in sorted(expected - set(fields))
    ]
    for name in sorted(expected & set(fields)):
        source = fields[name]
        if "\n" in source.strip() or "\r" in source:
            problems.append(Problem(None, "field_newline", f"推送字段“{name}”不能换行。"))
            continue
        problems += _lint_part(spec, source, name, negative_phrases)
    return problems
