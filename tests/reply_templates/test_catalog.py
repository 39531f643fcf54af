"""The shipped defaults: every key the dialogs use, declared variables, the centre's reply standards."""

import ast
import re
from pathlib import Path

import pytest

from reply_templates import default_catalog, lint
from reply_templates.environment import finish_text, make_environment

REQUIRED: dict[str, set[str]] = {
    "menu.welcome": set(),
    "menu.help": set(),
    "menu.unknown": set(),
    "menu.human": {"office_hours", "hotline"},
    "menu.unsupported": {"kind"},
    "system.error": set(),
    "report.ask_description": set(),
    "report.ask_location": set(),
    "report.location_choices": {"choices"},
    "report.location_not_found": {"text"},
    "report.location_outside": set(),
    "report.location_set": {"place", "grid_name", "community"},
    "report.photo_received": {"count"},
    "report.photo_limit": {"max"},
    "report.category_choices": {"choices"},
    "report.ask_phone": {"masked_phone"},
    "report.ask_what": set(),
    "report.ask_road_detail": {"road"},
    "report.summary": {"description", "place", "category", "photo_count", "phone_masked", "confidential",
                       "problems"},
    "report.corrected": {"slot", "value"},
    "report.photos_cleared": {"count"},
    "report.phone_invalid": set(),
    "report.edit_choices": {"choices"},
    "report.urgent_filed": {"number", "place", "grid_name"},
    "report.filed_several": {"cases"},
    "report.filed": {"number", "due_text", "grid_name"},
    "report.filed_duplicate": {"number", "neighbours"},
    "report.urgent": {"kind", "hotline"},
    "report.cancelled": set(),
    "report.back": {"step"},
    "report.resume": {"description"},
    "report.need_description": set(),
    "report.not_understood_confirm": set(),
    "report.photo_rejected": {"reason"},
    "report.filed_push": {"number", "category", "grid_name"},
    "status.none": set(),
    "status.list": {"cases"},
    "status.one": {"number", "status_text", "step", "step_status", "step_department", "step_note", "updated"},
    "status.unknown_number": {"number"},
    "status.changed": {"number", "status_text", "note", "department"},
    "rating.ask": {"number"},
    "rating.ask_comment": set(),
    "rating.thanks_good": set(),
    "rating.thanks_bad": set(),
    "rating.comment_saved": set(),
    "rating.not_understood": set(),
    "rating.expired": {"number"},
    "rating.nothing_to_rate": set(),
    "rating.choose_case": {"cases"},
    "rating.done": set(),
    "report.offer_recent_location": {"place"},
    "menu.nothing_to_cancel": set(),
    "handover.reply": {"message", "number"},
    "handover.reply_notice": {"message", "number"},
    "supervision.notice": {"kind_text", "number", "message", "due"},
}
PUSH = {"status.changed", "rating.ask", "report.filed_push", "handover.reply", "handover.reply_notice",
        "supervision.notice"}
KEY = re.compile(r"^(menu|system|report|status|rating|handover|supervision)\.[a-z_]+$")
DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"


def test_every_required_key_ships_with_its_variables() -> None:
    catalog = default_catalog()
    for key, variables in REQUIRED.items():
        assert key in catalog, key
        assert variables <= set(catalog.get(key).variables), key
    assert {spec.key for spec in catalog if spec.is_push} == PUSH


@pytest.mark.parametrize("key", sorted(default_catalog().keys()))
def test_shipped_default_passes_the_reply_standards(key: str) -> None:
    catalog = default_catalog()
    spec = catalog.get(key)
    assert lint(spec, spec.body, spec.fields, negative_phrases=catalog.negative_phrases) == []
    assert spec.description and all(v.description for v in spec.variables.values())


@pytest.mark.parametrize("key", sorted(default_catalog().keys()))
def test_shipped_default_is_short_and_never_shows_a_full_phone_number(key: str) -> None:
    spec = default_catalog().get(key)
    text = finish_text(make_environment().from_string(spec.body).render(**spec.samples()))
    lists = [v for v in spec.samples().values() if isinstance(v, list)]
    assert len(text.splitlines()) <= 3 + sum(len(v) for v in lists)
    assert not re.search(r"1\d{10}", text)
    assert "你" not in text.replace("您", "")


def test_every_key_used_in_dialogs_exists() -> None:
    catalog = default_catalog()
    used = set()
    for path in DIALOGS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
                used.add((node.value, path.name))
    missing = sorted(f"{key} ({where})" for key, where in used if key not in catalog)
    assert missing == []


def test_a_required_variable_cannot_also_have_a_default(tmp_path: Path) -> None:
    from reply_templates import CatalogError, load_catalog

    (tmp_path / "x.yaml").write_text(
        "x.ask:\n  description: 说明\n  variables:\n    options: {description: 选项, required: true, default: ''}\n"
        "  body: '{{ options }}'\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="required"):
        load_catalog(tmp_path, negative_phrases=())
