"""A template is untrusted code: no save, preview or render can loop for long or build a huge text.

Each case is an attack an agent with template rights could try; each must end quickly with a refusal
(lint), an empty preview or the shipped default (render) — never a frozen process or 100 MB of text.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from reply_templates import Renderer, TemplateVersion, default_catalog, lint, preview

CATALOG = default_catalog()
# Passes with the sample place (7 characters: 343 empty iterations), runs for ages with a long real one.
CUBIC = (
    "{% for a in place %}{% for b in place %}{% for c in place %}{% for d in place %}"
    "{% endfor %}{% endfor %}{% endfor %}{% endfor %}问题是在{{ place }}吗？回复 1 就用这个位置。"
)
BOMBS = [
    "{{ '%0100000000d'|format(1) }}",
    "{{ '%0100000000d' % 1 }}",
    "{{ '{:0100000000}'.format(1) }}",
    "{{ 'x'|center(100000000) }}",
    "{{ 'x'.ljust(100000000) }}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('x', 40) }}",
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{{ ((9 ** 64) ** 64) ** 64 }}",
    "{{ lipsum(100000) }}",
]


def codes(key: str, body: str) -> list[str]:
    return [p.code for p in lint(CATALOG.get(key), body, negative_phrases=CATALOG.negative_phrases)]


def test_a_loop_harmless_with_the_samples_but_endless_with_real_values_is_refused() -> None:
    assert codes("report.offer_recent_location", CUBIC) == ["too_much_work"]


@pytest.mark.parametrize("body", [
    "{% for i in range(place|length * 100000) %}.{% endfor %}问题是在{{ place }}吗？",
    "{% for c in [place] recursive %}{{ loop([c]) }}{% endfor %}问题是在{{ place }}吗？",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}问题是在{{ place }}吗？",
])
def test_loops_a_variable_can_lengthen_and_recursion_are_refused(body: str) -> None:
    assert "unbounded_loop" in codes("report.offer_recent_location", body)


def test_a_fixed_short_loop_is_still_allowed() -> None:
    body = "{% for i in range(3) %}—{% endfor %}问题是在{{ place }}吗？回复 1 就用这个位置。"
    assert codes("report.offer_recent_location", body) == []


@pytest.mark.parametrize("body", BOMBS)
def test_preview_of_a_bomb_returns_at_once_with_nothing_large(body: str) -> None:
    shown = preview("report.back", body)
    assert len(shown.text) < 3000
    assert shown.problems, "saving it must be refused too"


def _store_unlinted(engine: Engine, key: str, body: str) -> None:
    """A version already in the table (saved before these limits existed): the lint never saw it."""
    with Session(engine) as session:
        session.add(TemplateVersion(key=key, body=body, fields=None, author="旧版本", previous_body="",
                                    created_at=datetime.now(UTC)))
        session.commit()


@pytest.mark.parametrize("body", [CUBIC, *BOMBS])
def test_a_runaway_staff_version_falls_back_to_the_default_instead_of_freezing(engine: Engine, body: str) -> None:
    _store_unlinted(engine, "report.offer_recent_location", body)
    renderer = Renderer(CATALOG, engine, refresh_seconds=0)
    text = renderer.render("report.offer_recent_location", place="春晖苑" * 60)
    assert text.startswith("问题是在春晖苑春晖苑")
    assert renderer.active("report.offer_recent_location").version_id is not None
