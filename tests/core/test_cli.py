"""The `guanxi` command line, run for real in subprocesses with their own data dir.

Each test gets an empty GUANXI_DATA_DIR, so the CLI creates its own SQLite
database and key file exactly as it does on a fresh install.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "Guanxi-Cli-2026!"


def guanxi_command() -> list[str]:
    entry_point = Path(sys.executable).parent / "guanxi"
    return [str(entry_point)] if entry_point.exists() else [sys.executable, "-m", "guanxi.cli"]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    # Nothing of the test process's own configuration leaks in (conftest sets
    # DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` rightly refuses).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUANXI_", "DJANGO_"))}
    env.update(GUANXI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="guanxi.settings")
    env.update(extra)
    return env


def guanxi(
    data_dir: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*guanxi_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env or cli_env(data_dir),
        timeout=300,
    )


def django_eval(data_dir: Path, code: str) -> object:
    """Run Python in `guanxi manage shell` against the data dir; it prints JSON back."""
    result = guanxi(data_dir, "manage", "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    result = guanxi(path, "user", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    return path


def test_user_add_reads_the_password_from_stdin(data_dir: Path) -> None:
    result = guanxi(
        data_dir, "user", "add", "bob", "--role", "rep", "--team", "北京一组",
        "--region", "north", stdin=PASSWORD + "\n",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "added bob" in result.stdout
    assert django_eval(
        data_dir,
        "import json; from guanxi.core.models import User; u = User.objects.get(username='bob'); "
        f"print(json.dumps([u.check_password({PASSWORD!r}), u.role, u.team.name, u.region.code]))",
    ) == [True, "rep", "北京一组", "north"]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "rep"], "123\n", ""),
        (["--role", "emperor"], PASSWORD + "\n", "emperor"),
        (["--role", "rep", "--region", "atlantis"], PASSWORD + "\n", "unknown region"),
        (["--role", "rep", "--manager", "nobody"], PASSWORD + "\n", "unknown manager"),
        (["--role", "rep"], "\n", "password must not be empty"),
    ],
    ids=["weak password", "unknown role", "unknown region", "unknown manager", "empty password"],
)
def test_user_add_rejects_bad_input_with_a_clear_error_and_adds_nobody(
    data_dir: Path, args: list[str], password: str, message: str
) -> None:
    result = guanxi(data_dir, "user", "add", "bob", *args, stdin=password)

    assert result.returncode == 1
    assert "error" in result.stderr
    assert message in result.stderr
    assert (
        django_eval(
            data_dir,
            "import json; from guanxi.core.models import User; "
            "print(json.dumps(User.objects.filter(username='bob').exists()))",
        )
        is False
    )


def test_token_create_prints_a_token_that_is_stored_only_as_its_sha256(data_dir: Path) -> None:
    result = guanxi(data_dir, "token", "create", "alice")

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("gx_")
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert (
        django_eval(
            data_dir,
            "import json; from guanxi.core.models import ApiToken; "
            f"print(json.dumps(ApiToken.objects.filter(digest={digest!r}, user__username='alice')"
            ".exists()))",
        )
        is True
    )
    stored = b"".join(p.read_bytes() for p in data_dir.glob("guanxi.sqlite3*"))
    assert token.encode() not in stored


def test_the_token_authenticates_api_calls(data_dir: Path) -> None:
    token = guanxi(data_dir, "token", "create", "alice").stdout.strip()

    statuses = django_eval(
        data_dir,
        "import json; from django.test import Client; c = Client(); "
        f"auth = c.get('/api/v1/customers', HTTP_AUTHORIZATION='Bearer {token}').status_code; "
        "anon = c.get('/api/v1/customers').status_code; "
        "bad = c.get('/api/v1/customers', HTTP_AUTHORIZATION='Bearer gx_x_nope').status_code; "
        "print(json.dumps([auth, anon, bad]))",
    )

    assert statuses == [200, 401, 401]


def test_token_create_refuses_an_unknown_user(data_dir: Path) -> None:
    result = guanxi(data_dir, "token", "create", "nobody")

    assert result.returncode == 1
    assert "unknown user" in result.stderr


def test_manage_check_finds_no_issues(data_dir: Path) -> None:
    result = guanxi(data_dir, "manage", "check")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_backup_then_restore_brings_back_the_database_and_the_keys(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "guanxi-backup.tar.gz"
    backed_up = guanxi(data_dir, "backup", str(archive))
    assert backed_up.returncode == 0, backed_up.stderr
    assert "verified" in backed_up.stdout
    assert archive.stat().st_mode & 0o777 == 0o600
    guanxi(data_dir, "user", "add", "bob", "--role", "rep", stdin=PASSWORD + "\n")

    restored = guanxi(data_dir, "restore", str(archive), "--yes")

    assert restored.returncode == 0, restored.stderr
    assert django_eval(
        data_dir,
        "import json; from guanxi.core.models import User; "
        "print(json.dumps(sorted(User.objects.values_list('username', flat=True))))",
    ) == ["alice"]


def test_restore_into_an_empty_data_dir_brings_the_key_file(data_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "guanxi-backup.tar.gz"
    assert guanxi(data_dir, "backup", str(archive)).returncode == 0
    elsewhere = tmp_path / "elsewhere"

    restored = guanxi(elsewhere, "restore", str(archive), "--yes")

    assert restored.returncode == 0, restored.stderr
    assert (elsewhere / "keys.json").read_bytes() == (data_dir / "keys.json").read_bytes()
    assert (elsewhere / "keys.json").stat().st_mode & 0o777 == 0o600


def test_restore_refuses_a_file_that_is_not_a_backup(data_dir: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("hello")

    result = guanxi(data_dir, "restore", str(bogus), "--yes")

    assert result.returncode == 1
    assert "damaged or truncated" in result.stderr


def test_stopping_serve_stops_its_job_consumer_too(tmp_path: Path) -> None:
    # SIGTERM is how systemd, Docker and CI stop a server; the Huey consumer that
    # `serve` starts beside it used to outlive it, orphaned.
    import signal
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    consumers: list[str] = []
    server = subprocess.Popen(
        [*guanxi_command(), "serve", "--port", str(port)],
        env=cli_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not consumers:
            time.sleep(0.5)
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
            consumers = children.read_text().split() if children.exists() else []
        assert consumers, "serve started no job consumer"
        while time.monotonic() < deadline:  # then wait for the server to listen
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        for pid in consumers:
            deadline = time.monotonic() + 30
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            status = Path(f"/proc/{pid}/status")
            alive = status.exists() and "zombie" not in status.read_text()
            assert not alive, f"job consumer {pid} outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
        for pid in consumers:  # never leave a consumer behind, even when failing
            if Path(f"/proc/{pid}").exists():
                os.kill(int(pid), signal.SIGKILL)
