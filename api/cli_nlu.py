"""``intake nlu classify`` and ``intake nlu eval``: batch use of the NLU for staff.

``classify`` turns JSON lines into JSON lines (the model loads once, then ~1 ms a message; the format is
:mod:`nlu.batch`).
``eval FILE`` prints top-1/top-3 accuracy, macro-F1 and the worst confusions for {"text","major"} lines.
``learn FILE.csv [--crosswalk FILE]`` trains on the centre's labelled history plus the staff's
reclassifications in the database, compares with the model in use on a held-out part and switches every
process to the new version only when it is better (or ``--force``); ``rollback`` returns to the previous
version; ``versions`` lists them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import settings_or_exit
from nlu import NLU, NLUError
from nlu.batch import classify_stream
from nlu.evaluation import evaluate, read_labelled
from nlu.learning import LabelledText, learn, read_history
from nlu.store import ModelStore

nlu_app = typer.Typer(help="Understanding messages: batch classification and evaluation.", no_args_is_help=True)

CacheOption = Annotated[
    Path | None, typer.Option("--cache-dir", help="Model cache (default ~/.cache/gongzhi-intake/nlu)")]
TaxonomyOption = Annotated[
    Path | None, typer.Option("--taxonomy", help="Taxonomy YAML (default: the shipped one)")]


def _load(cache_dir: Path | None, taxonomy: Path | None, models_dir: Path | None = None) -> NLU:
    try:
        return NLU.load(cache_dir=cache_dir, taxonomy_path=taxonomy, models_dir=models_dir)
    except NLUError as exc:
        typer.echo(f"nlu: {exc}", err=True)
        raise typer.Exit(2) from None


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


ModelsOption = Annotated[
    Path | None, typer.Option("--models-dir", help="Learned model versions (default: INTAKE_DATA_DIR/nlu-models)")]


def _models_dir(models_dir: Path | None) -> Path:
    return models_dir or settings_or_exit().data_dir / "nlu-models"


def staff_reclassifications(nlu: NLU) -> list[LabelledText]:
    """Cases whose category a staff member chose: their description with that minor (or major)."""
    from sqlmodel import Session, select

    from api.db import make_engine
    from cases.models import Case

    settings = settings_or_exit()
    known = {m.code for m in nlu.taxonomy.minors} | {m.code for m in nlu.taxonomy.majors}
    rows: list[LabelledText] = []
    with Session(make_engine(settings.database_url)) as session:
        for case in session.exec(select(Case).where(Case.category_source == "staff")):
            code = case.minor_code if case.minor_code in known else case.major_code
            if code in known and case.description.strip():
                rows.append(LabelledText(case.description, code))
    return rows


@nlu_app.command("learn")
def learn_command(
    file: Annotated[Path, typer.Argument(help="CSV of the centre's history: a text column and a category column")],
    crosswalk: Annotated[Path | None, typer.Option(help="CSV category,code: the centre's names -> taxonomy codes")]
    = None,
    force: Annotated[bool, typer.Option(help="Switch even when the candidate is not better")] = False,
    database: Annotated[bool, typer.Option(help="Also learn from the staff's reclassifications")] = True,
    models_dir: ModelsOption = None,
    cache_dir: CacheOption = None,
    taxonomy: TaxonomyOption = None,
) -> None:
    """Train on labelled history; switch every process to the new model only when it is better."""
    store = ModelStore(_models_dir(models_dir))
    nlu = _load(cache_dir, taxonomy, store.root)
    try:
        rows, problems = read_history(file, crosswalk, nlu.taxonomy)
    except NLUError as exc:
        typer.echo(f"nlu: {exc}", err=True)
        raise typer.Exit(2) from None
    for line in problems[:10]:
        typer.echo(f"skipped {line}", err=True)
    if len(problems) > 10:
        typer.echo(f"skipped {len(problems) - 10} more rows", err=True)
    staff = staff_reclassifications(nlu) if database else []
    typer.echo(f"history: {len(rows)} labelled rows ({len(problems)} skipped), staff reclassifications: {len(staff)}")
    try:
        outcome = learn(nlu, [*rows, *staff], store, force=force)
    except NLUError as exc:
        typer.echo(f"nlu: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"trained on {outcome.trained_on}, held out {outcome.held_out} ({outcome.seconds:.1f} s)")
    typer.echo(f"held-out top-1 major: in use ({nlu.version or 'shipped'}) {outcome.current_top1:.1%}, "
               f"candidate {outcome.candidate_top1:.1%}")
    if outcome.switched:
        typer.echo(f"switched to {outcome.version}: every process picks it up within a second")
    else:
        typer.echo("not switched: the candidate is not better (use --force to switch anyway)")
        raise typer.Exit(1)


@nlu_app.command("rollback")
def rollback_command(models_dir: ModelsOption = None) -> None:
    """Return every process to the model in use before the last switch."""
    store = ModelStore(_models_dir(models_dir))
    before = store.current()
    if before is None:
        typer.echo("the shipped model is in use: nothing to roll back")
        raise typer.Exit(1)
    try:
        now = store.rollback()
    except NLUError as exc:
        typer.echo(f"nlu: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"rolled back from {before} to {now or 'the shipped model'}")


@nlu_app.command("versions")
def versions_command(models_dir: ModelsOption = None) -> None:
    """List the learned model versions; the one in use is marked with *."""
    store = ModelStore(_models_dir(models_dir))
    current = store.current()
    for name in store.versions():
        meta = store.info(name).meta
        typer.echo(f"{'*' if name == current else ' '} {name}  rows {meta.get('rows', '?')}  "
                   f"held-out top-1 {meta.get('held_out_top1_candidate', '?')}  {meta.get('created', '')}")
    if current is None:
        typer.echo("* shipped model (no learned version in use)")
