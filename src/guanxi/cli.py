"""The `guanxi` command line (typer + rich).

Django is set up lazily inside each command so `guanxi --help` stays instant
and GUANXI_* variables given on the command line take effect first.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(help="Guanxi 关系 — CRM", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
import_app = typer.Typer(
    help="Import customers, contacts or purchases from CSV or Excel files.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
console = Console()
err = Console(stderr=True)


def _add_analytics() -> None:
    # numpy/scipy load only when an analytics command runs, so `guanxi --help` stays instant.
    from guanxi.analytics.cli import app as analytics_app

    app.add_typer(analytics_app, name="analytics")


_add_analytics()


def _add_dedup() -> None:
    from guanxi.customers.dedup.cli import app as dedup_app

    app.add_typer(dedup_app, name="dedup")


_add_dedup()


def _add_evaluation() -> None:
    from guanxi.evaluation.cli import app as evaluation_app

    app.add_typer(evaluation_app, name="evaluation")


_add_evaluation()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]错误 / error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (default: CPU count with GUANXI_REDIS_URL set, else 1)."
        ),
    ] = 0,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Skip applying migrations.")
    ] = False,
    no_jobs: Annotated[
        bool,
        typer.Option(
            "--no-jobs", help="Do not start the background-job consumer (run it elsewhere)."
        ),
    ] = False,
) -> None:
    """Apply migrations, collect static files and serve Guanxi over ASGI (uvicorn).

    The background-job consumer (Huey: imports, nightly recompute, SLA scans) runs
    beside the web server as a child process, so one command is a whole install;
    on several machines start it once with `guanxi manage run_huey` and pass --no-jobs.
    """
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from guanxi.core.crypto import ensure_key_file

    ensure_key_file()
    if not no_migrate:
        migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    import uvicorn

    console.print(f"Guanxi 关系 → http://{host}:{port}/  (data: {settings.DATA_DIR})")
    # Live chat's default in-memory channel layer lives inside one process: a
    # visitor and an agent on two workers would never hear each other. Several
    # workers need the shared Redis layer.
    if not workers:
        workers = (os.cpu_count() or 1) if settings.GUANXI_REDIS_URL else 1
    elif workers > 1 and not settings.GUANXI_REDIS_URL:
        err.print(
            "[yellow]在线客服需要 GUANXI_REDIS_URL 才能跨多个进程 / live chat needs "
            "GUANXI_REDIS_URL to work across several workers.[/yellow]"
        )
    consumer = None
    if not no_jobs:
        import subprocess

        consumer = subprocess.Popen(
            [sys.executable, "-m", "guanxi.cli", "manage", "run_huey", "--workers", "2", "--quiet"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"},
        )
    # uvicorn shuts down on SIGTERM and then re-raises the signal to the handler it
    # found; with the default one the process died there and the `finally` below
    # never ran, leaving the job consumer running without its server. A handler
    # that exits through Python lets the consumer be stopped with us.
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        uvicorn.run(
            "guanxi.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
        )
    finally:
        if consumer is not None:
            consumer.terminate()
            consumer.wait(timeout=30)


@app.command("demo-data")
def demo_data(
    industry: Annotated[str, typer.Option(help="energy, auto or general.")] = "energy",
    customers: Annotated[int, typer.Option(help="How many customers to create.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 1,
    purchases_per_customer: Annotated[
        float, typer.Option(help="Mean orders per active customer.")
    ] = 6.0,
) -> None:
    """Fill the database with realistic demo data for an industry template."""
    if industry not in ("energy", "auto", "general"):
        fail("--industry must be energy, auto or general")
    if customers < 1:
        fail("--customers must be at least 1")
    setup_django()
    migrate()
    from guanxi.demo import generate

    summary = generate(
        industry=industry,
        customers=customers,
        seed=seed,
        orders_per_customer=purchases_per_customer,
    )
    console.print(summary)


def _read_password(prompt: str) -> str:
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if not password:
        fail("password must not be empty")
    return password


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        str, typer.Option(help="admin, regional_manager, manager, rep, agent, marketing, analyst.")
    ],
    team: Annotated[str | None, typer.Option(help="Team name (created if new).")] = None,
    manager: Annotated[str | None, typer.Option(help="Login of the team's manager.")] = None,
    region: Annotated[str | None, typer.Option(help="Region code (north, east, …).")] = None,
    display_name: Annotated[str, typer.Option(help="Full name, e.g. 王伟.")] = "",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
) -> None:
    """Add a staff account; the password is read from stdin or prompted for."""
    setup_django()
    migrate()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from guanxi.core.actions import ActionError, add_user, set_team_manager
    from guanxi.core.models import Region, Team, User

    region_obj = None
    if region:
        region_obj = Region.objects.filter(code=region).first()
        if region_obj is None:
            fail(
                f"unknown region {region!r}; known: {', '.join(Region.objects.values_list('code', flat=True))}"
            )
    manager_obj = None
    if manager:
        manager_obj = User.objects.filter(username=manager).first()
        if manager_obj is None:
            fail(f"unknown manager {manager!r}")
    password = _read_password("Password")
    try:
        validate_password(password)
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    try:
        with transaction.atomic():
            team_obj = None
            if team:
                team_obj, _ = Team.objects.get_or_create(name=team, defaults={"region": region_obj})
            user = add_user(
                name,
                password,
                role=role,
                by=None,
                display_name=display_name,
                team=team_obj,
                region=region_obj,
                email=email,
            )
            if team_obj is not None and (manager_obj is not None or role == "manager"):
                set_team_manager(team_obj, manager_obj or user, by=None)
    except ActionError as exc:
        fail(exc.message)
    console.print(f"added {user.username} ({user.get_role_display()})")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Login of the user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token and print it (only a hash is stored; it is shown once)."""
    setup_django()
    migrate()
    from guanxi.core.actions import create_api_token
    from guanxi.core.models import User

    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        fail(f"unknown user {name!r}")
    _, token = create_api_token(user, label, by=None)
    print(token)


@app.command()
def backup(file: Annotated[Path, typer.Argument(help="Archive to write (.tar.gz).")]) -> None:
    """Take a consistent online backup of the database and the key file, then verify it."""
    setup_django()
    from guanxi.core.backup import BackupError, create_backup

    try:
        manifest = create_backup(file, progress=console)
    except BackupError as exc:
        fail(str(exc))
    console.print(f"backup written and verified: {file} ({manifest['total_rows']} rows)")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="Archive written by `guanxi backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the current database without asking.")
    ] = False,
) -> None:
    """Restore the database and key file from a backup, verifying integrity and row counts."""
    setup_django()
    from guanxi.core.backup import BackupError, restore_backup

    if not yes and sys.stdin.isatty():
        typer.confirm("This replaces the current database and keys. Continue?", abort=True)
    try:
        manifest = restore_backup(file, progress=console)
    except BackupError as exc:
        fail(str(exc))
    console.print(f"restored {file} ({manifest['total_rows']} rows, verified)")


def _acting_user(username: str):  # type: ignore[no-untyped-def]
    """The staff account an import or export acts as: it is scoped like that user's clicks."""
    from guanxi.core.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"unknown or inactive user {username!r}")
    return user


# The options every import command shares (typer copies them per command).
ImportFile = Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030/GBK) or .xlsx file.")]
# The acting user may come from the environment, so `guanxi import customers FILE`
# works as the issue writes it in a shell (or a cron job) that set GUANXI_USER once.
ActingUser = typer.Option(
    "--as", envvar="GUANXI_USER", help="Login whose permissions apply (default: $GUANXI_USER)."
)
ImportAs = Annotated[str, ActingUser]
ImportMapping = Annotated[
    str | None,
    typer.Option(
        help='A JSON file {field: header}, e.g. {"name": "客户名称"}, or the name of a mapping '
        "saved in the import wizard."
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate and report; write nothing.")]
RejectsReport = Annotated[
    Path | None, typer.Option(help="Where to write rejected rows (.csv or .xlsx).")
]


@import_app.command("customers")
def import_customers(
    file: ImportFile,
    as_user: ImportAs,
    mapping: ImportMapping = None,
    dry_run: DryRun = False,
    on_duplicate: Annotated[str, typer.Option(help="skip, update or merge-review.")] = "skip",
    channel: Annotated[str, typer.Option(help="Collection channel (信息来源).")] = "internal",
    owner: Annotated[str | None, typer.Option(help="Login of the account manager.")] = None,
    report: RejectsReport = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes validating rows beside the writer (0: none); default chooses."
        ),
    ] = None,
) -> None:
    """Import customers; resumes after a crash (same file = same batch), rejects bad rows."""
    _run_import("customers", file, as_user, mapping, dry_run, on_duplicate, channel, owner,
                report, workers)  # fmt: skip


@import_app.command("contacts")
def import_contacts(
    file: ImportFile,
    as_user: ImportAs,
    mapping: ImportMapping = None,
    dry_run: DryRun = False,
    on_duplicate: Annotated[
        str, typer.Option(help="skip or update (same customer and phone, or name).")
    ] = "skip",
    report: RejectsReport = None,
) -> None:
    """Import contacts onto customers you may change (客户编号, 信用代码 or 客户手机)."""
    _run_import("contacts", file, as_user, mapping, dry_run, on_duplicate, "internal", None,
                report, None)  # fmt: skip


@import_app.command("purchases")
def import_purchases(
    file: ImportFile,
    as_user: ImportAs,
    mapping: ImportMapping = None,
    dry_run: DryRun = False,
    on_duplicate: Annotated[
        str, typer.Option(help="skip only: an existing order number is never imported twice.")
    ] = "skip",
    report: RejectsReport = None,
) -> None:
    """Import purchases (one row per order line; order number = idempotency key)."""
    _run_import("purchases", file, as_user, mapping, dry_run, on_duplicate, "internal", None,
                report, None)  # fmt: skip


def _mapping_columns(mapping: str, kind: str, user: Any) -> dict[str, str]:
    """{field: header} from a JSON file, else from the user's saved mapping of that name."""
    import json

    from guanxi.imports.models import SavedMapping

    path = Path(mapping)
    if path.is_file():
        try:
            columns = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            fail(f"--mapping {mapping}: not a JSON file ({exc})")
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            fail(f'--mapping {mapping}: expected {{"field": "header", …}}')
        return columns
    saved = SavedMapping.objects.filter(user=user, kind=kind, name=mapping).first()
    if saved is None:
        fail(f"--mapping {mapping}: no such file, nor a saved {kind} mapping of that name")
    return dict(saved.columns)


def _run_import(  # noqa: PLR0913 — the commands' options, passed through
    kind: str,
    file: Path,
    as_user: str,
    mapping: str | None,
    dry_run: bool,
    on_duplicate: str,
    channel: str,
    owner: str | None,
    report: Path | None,
    workers: int | None,
) -> None:
    """Start or resume the file's batch of `kind` with a progress bar; write the report."""

    if not file.is_file():
        fail(f"no such file: {file}")
    if on_duplicate not in ("skip", "update", "merge-review"):
        fail("--on-duplicate must be skip, update or merge-review")
    setup_django()
    migrate()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from guanxi.core.actions import ActionError
    from guanxi.customers.choices import SourceChannel
    from guanxi.customers.imports import preview, reading, runner
    from guanxi.customers.imports import report as reports
    from guanxi.imports.models import ImportBatch

    if channel not in SourceChannel.values:
        fail(f"--channel must be one of {', '.join(SourceChannel.values)}")
    user = _acting_user(as_user)
    owner_user = _acting_user(owner) if owner else None
    columns = _mapping_columns(mapping, kind, user) if mapping else None
    titles = {"customers": "导入客户", "contacts": "导入联系人", "purchases": "导入购买记录"}
    try:
        if dry_run:
            result = preview.dry_run(
                file, user=user, columns=columns, kind=kind, on_duplicate=on_duplicate
            )
            console.print(
                f"dry run: {result.valid} valid, {len(result.rejected)} rejected of {result.total}"
            )
            if kind == "customers":
                console.print(
                    f"duplicates of existing customers or earlier rows: {len(result.skipped)} "
                    f"would be skipped, {result.updates} would update a customer, "
                    f"{result.flagged} would be imported and queued for review"
                )
            for number, reason in sorted(result.rejected + result.skipped)[:50]:
                console.print(f"  第 {number} 行: {reason}")
            return
        batch = runner.start_batch(
            file, user=user, kind=kind, columns=columns, source_channel=channel,
            on_duplicate=on_duplicate, owner=owner_user,
        )  # fmt: skip
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err,
        ) as bar:  # fmt: skip
            task = bar.add_task(titles[kind], total=batch.total_rows, completed=batch.rows_done)

            def show(b: ImportBatch) -> None:
                # A bulk load builds the search indexes after the last row (runner.py).
                if getattr(b, "phase", "") == "indexing":
                    done, total = b.indexes_done, b.indexes_total  # type: ignore[attr-defined]
                    bar.update(task, description=f"建立索引 {done}/{total}")
                bar.update(task, completed=b.rows_done)

            batch = runner.run_batch(batch, user=user, workers=workers, progress=show)
    except ActionError as exc:
        fail(exc.message)
    except reading.FileError as exc:
        fail(str(exc))
    console.print(
        f"batch {batch.pk}: created {batch.created_count}, updated {batch.updated_count}, "
        f"skipped {batch.skipped_count}, rejected {batch.rejected_count}"
    )
    if batch.rejected_count or batch.skipped_count:
        target = report or file.with_name(file.stem + ".errors.csv")
        reports.write_report(batch, target)
        console.print(f"rejected and skipped rows with reasons: {target}")


@app.command("export")
def export(
    what: Annotated[
        str, typer.Argument(help="customers, tickets, tasks, conversations, crises, products")
    ],
    file: Annotated[Path, typer.Argument(help="Output file, .csv or .xlsx.")],
    as_user: Annotated[str, ActingUser],
    q: Annotated[str, typer.Option(help="Customers: search, as in the list's search box.")] = "",
    value_class: Annotated[
        str, typer.Option(help="Customers: high, potential, general, churned.")
    ] = "",
    stage: Annotated[str, typer.Option(help="Customers: relationship stage.")] = "",
    kind: Annotated[str, typer.Option(help="Customers: org or person.")] = "",
    industry: Annotated[str, typer.Option(help="Customers: industry id.")] = "",
    region: Annotated[str, typer.Option(help="Customers: region id.")] = "",
    owner: Annotated[str, typer.Option(help="Customers: owner user id.")] = "",
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="KEY=VALUE as in the list page's query string, e.g. --filter status=open "
            "(repeatable; any list).",
        ),
    ] = None,
) -> None:
    """Export a list the user can see, filtered like its page (audited, capped)."""
    setup_django()
    from guanxi.customers.queries import InvalidQuery
    from guanxi.exports import files, lists
    from guanxi.exports.registry import LISTS

    export_list = LISTS.get(what)
    if export_list is None:
        fail(f"unknown list {what!r}; lists: {', '.join(LISTS)}")
    customer_options = {
        "q": q, "value_class": value_class, "stage": stage, "kind": kind,
        "industry": industry, "region": region, "owner": owner,
    }  # fmt: skip
    if what == "customers":
        params = customer_options
    elif any(customer_options.values()):
        fail(f"--q, --stage… filter customers only; use --filter KEY=VALUE for {what}")
    else:
        params = {}
    for pair in filters or []:
        key, sep, value = pair.partition("=")
        if not sep or key not in export_list.filters:
            known = ", ".join(export_list.filters) or "none"
            fail(f"--filter {pair!r}: {what} filters are {known}")
        params[key] = value
    user = _acting_user(as_user)
    try:
        export_list.rows_queryset(user, params)  # a bad filter fails before the audit
        file_format = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
        download = lists.record_export(export_list, user, params, file_format)
        rows = lists.rows(export_list, user, params, download.cap)
        if file_format == "xlsx":
            note = ("说明", lists.truncation_note(download)) if download.truncated else None
            count = files.write_xlsx(rows, file, export_list.title, note)
        else:
            count = files.write_csv(rows, file)
    except InvalidQuery as exc:
        fail(f"{exc.field}: {exc.message}")
    console.print(f"exported {count} {what} to {file}")
    if download.truncated:
        console.print(f"[yellow]truncated: the export row cap is {download.cap} rows[/yellow]")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command: guanxi manage migrate, shell, check --deploy…"""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi manage", *ctx.args])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
