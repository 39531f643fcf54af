"""``intake nlu classify`` and ``intake nlu eval``: batch use of the NLU for staff.

``classify`` turns JSON lines into JSON lines (the model loads once, then ~1 ms a message):

    {"id": 7, "text": "望江路路灯晚上黑灯瞎火的 电话13855123456"}
    → {"id": 7, "majors": [{"code": "04", "name": "市政设施", "score": 0.98}, …×3],
       "minor": {"code": "0401", …}, "intent": "report", "rating": null, "appeal": "投诉",
       "unknown": false, "others": [], "phone": "13855123456",
       "address": "望江路", "urgent": false, "confident": true}

A line that is not a JSON object with a "text" string yields {"id": …, "error": "…"} and the run goes on.
``eval FILE`` prints top-1/top-3 accuracy, macro-F1 and the worst confusions for {"text","major"} lines.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from nlu import NLU, NLUError, Understanding
from nlu.evaluation import evaluate, read_labelled

nlu_app = typer.Typer(help="Understanding messages: batch classification and evaluation.", no_args_is_help=True)

CacheOption = Annotated[
    Path | None, typer.Option("--cache-dir", help="Model cache (default ~/.cache/gongzhi-intake/nlu)")]
TaxonomyOption = Annotated[
    Path | None, typer.Option("--taxonomy", help="Taxonomy YAML (default: the shipped one)")]


def _load(cache_dir: Path | None, taxonomy: Path | None) -> NLU:
    try:
        return NLU.load(cache_dir=cache_dir, taxonomy_path=taxonomy)
    except NLUError as exc:
        typer.echo(f"nlu: {exc}", err=True)
        raise typer.Exit(2) from None


def _score(code: str, name: str, score: float) -> dict[str, Any]:
    return {"code": code, "name": name, "score": score}


def classify_record(nlu: NLU, record: Any) -> dict[str, Any]:
    """One output object for one parsed input line; raises ValueError when it has no text."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ValueError('each line needs a JSON object with a "text" string')
    u: Understanding = nlu.understand(record["text"])
    return {
        "id": record.get("id"),
        "majors": [_score(m.code, m.name, m.score) for m in u.majors],
        "minor": _score(u.minor.code, u.minor.name, u.minor.score) if u.minor else None,
        "intent": u.intent.value,
        "rating": u.rating.score if u.rating else None,
        "appeal": u.appeal.value,
        "unknown": u.unknown,
        "others": [_score(m.code, m.name, m.score) for m in u.others],
        "phone": u.phone,
        "address": u.place,
        "urgent": u.urgent,
        "confident": u.confident,
    }


def classify_stream(nlu: NLU, source: TextIO, sink: TextIO) -> int:
    """Classify every line of `source` into `sink`; returns the number of lines in error."""
    errors = 0
    for line in source:
        if not line.strip():
            continue
        record: Any = None
        try:
            record = json.loads(line)
            out = classify_record(nlu, record)
        except (json.JSONDecodeError, ValueError) as exc:
            errors += 1
            out = {"id": record.get("id") if isinstance(record, dict) else None, "error": str(exc)}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return errors


@nlu_app.command()
def classify(cache_dir: CacheOption = None, taxonomy: TaxonomyOption = None) -> None:
    """Read {"id","text"} JSON lines on stdin, write one classification per line on stdout."""
    errors = classify_stream(_load(cache_dir, taxonomy), sys.stdin, sys.stdout)
    if errors:
        typer.echo(f"{errors} line(s) could not be read", err=True)
        raise typer.Exit(1)


@nlu_app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help='JSON lines with "text" and "major" (optionally "minor", "intent")')],
    cache_dir: CacheOption = None,
    taxonomy: TaxonomyOption = None,
    worst: Annotated[int, typer.Option(help="How many confusions to list")] = 10,
) -> None:
    """Print top-1/top-3 major accuracy, macro-F1 and the worst confusions for a labelled file."""
    nlu = _load(cache_dir, taxonomy)
    try:
        rows = read_labelled(file)
    except NLUError as exc:
        typer.echo(f"nlu: {exc}", err=True)
        raise typer.Exit(2) from None
    report = evaluate(nlu, rows)
    figures = report.summary()
    typer.echo(f"messages with a major: {report.majors}")
    typer.echo(f"top-1 major:  {figures['top1_major']:.1%}")
    typer.echo(f"top-3 major:  {figures['top3_major']:.1%}")
    typer.echo(f"macro-F1:     {figures['macro_f1_major']:.3f}")
    if report.minors:
        typer.echo(f"minor:        {figures['minor']:.1%}  ({report.minors} labelled)")
    if report.intents:
        typer.echo(f"intent:       {figures['intent']:.1%}  ({report.intents} labelled)")
    if report.confusions:
        typer.echo("worst confusions (expected -> predicted: count):")
        for (gold, got), count in report.confusions.most_common(worst):
            names = f"{nlu.taxonomy.name_of(gold)} -> {nlu.taxonomy.name_of(got)}"
            typer.echo(f"  {gold} -> {got}  {names}: {count}")
