"""`guanxi dedup find` (any CSV of people) and `guanxi dedup scan` (the customers table)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

app = typer.Typer(help="Find and merge duplicate customers (数据清洗).", no_args_is_help=True)
console = Console(stderr=True)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=console,
    )  # fmt: skip


def _reporter(bar: Progress):  # type: ignore[no-untyped-def]
    tasks: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=max(total, 1))
        bar.update(tasks[stage], completed=done, total=max(total, 1))

    return report


@app.command()
def find(
    input: Annotated[Path, typer.Option("--input", help="CSV of people (UTF-8 or GB18030).")],
    id_column: Annotated[str, typer.Option("--id-column", help="Column with a unique record id.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write the pairs (CSV).")],
    threshold: Annotated[float, typer.Option(help="Lowest match probability written.")] = 0.5,
) -> None:
    """Pairs of rows that are probably the same person, with their match probability."""
    from .linkage import link, prepare
    from .people_file import read_people, write_pairs

    try:
        ids, table, roles = read_people(input, id_column)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if not roles:
        console.print("[red]no column recognised as a name, date of birth, phone, …[/red]")
        raise typer.Exit(1)
    console.print("columns: " + ", ".join(f"{h} → {r}" for r, h in roles.items()))
    with _bar() as bar:
        linkage = link(prepare(table), progress=_reporter(bar))
    written = write_pairs(output, ids, linkage, threshold)
    console.print(
        f"{len(ids)} records, {len(linkage.left)} pairs compared, {written} pairs ≥ {threshold} → {output}"
    )


@app.command()
def scan(
    merge_as: Annotated[
        str,
        typer.Option(
            "--merge-as",
            help="Username accountable for auto-merges (only with an auto-merge threshold set).",
        ),
    ] = "",
) -> None:
    """Score the customers table and fill the review queue (pairs above the review threshold)."""
    from guanxi.cli import migrate, setup_django

    setup_django()
    migrate()
    from guanxi.core.models import User
    from guanxi.dedup.models import DedupSettings

    from .queue import run_scan

    actor = None
    if merge_as:
        actor = User.objects.filter(username=merge_as, is_active=True).first()
        if actor is None:
            console.print(f"[red]no active user {merge_as!r}[/red]")
            raise typer.Exit(1)
    elif DedupSettings.current().auto_merge_threshold is not None:
        # A merge needs someone accountable for it; without one the pairs just wait in the queue.
        console.print("auto-merge threshold set but no --merge-as: nothing is merged automatically")
    with _bar() as bar:
        result = run_scan(by=None, progress=_reporter(bar), merge_as=actor)
    console.print(
        f"{result.customers} customers, {result.pairs_compared} pairs compared, "
        f"{result.candidates} in the review queue ({result.seconds:.1f} s)"
    )
    if actor is not None:
        console.print(
            f"auto-merged {result.auto_merged} pairs as {actor.username}; "
            f"{result.auto_skipped} left for review"
        )
