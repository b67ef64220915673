"""Production settings pass Django's deployment checks and refuse to start half-configured."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.core.test_cli import cli_env, guanxi


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return cli_env(
        data_dir,
        GUANXI_ENV="production",
        GUANXI_SECRET_KEY=secrets.token_urlsafe(64),
        GUANXI_ALLOWED_HOSTS="crm.example.com",
        **extra,
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path: Path) -> None:
    result = guanxi(
        tmp_path,
        "manage", "check", "--deploy", "--fail-level", "WARNING",
        env=production_env(tmp_path),
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["GUANXI_SECRET_KEY"]

    result = guanxi(tmp_path, "manage", "check", env=env)

    assert result.returncode != 0
    assert "GUANXI_SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_development_keeps_a_generated_secret_key_in_the_data_dir(tmp_path: Path) -> None:
    result = guanxi(tmp_path, "manage", "check")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
