"""The `guanxi` command line (typer + rich).

Django is set up lazily inside each command so `guanxi --help` stays instant
and GUANXI_* variables given on the command line take effect first.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Guanxi 关系 — CRM", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
console = Console()
err = Console(stderr=True)


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
    workers: Annotated[int, typer.Option(help="Worker processes (default: CPU count).")] = 0,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Skip applying migrations.")
    ] = False,
) -> None:
    """Apply migrations, collect static files and serve Guanxi over ASGI (uvicorn)."""
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
    uvicorn.run(
        "guanxi.asgi:application",
        host=host,
        port=port,
        workers=workers or (os.cpu_count() or 1),
        log_level="warning",
        access_log=False,
    )


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
