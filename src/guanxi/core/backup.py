"""Online, verified backups of the database and the key file, and their restore.

An archive (.tar.gz, 0600 because it holds the keys) contains:

- ``database.sqlite3`` (SQLite) or ``database.pgdump`` (PostgreSQL custom format),
- ``keys.json``, the field-encryption key file: without it, encrypted data is lost,
- ``manifest.json``: format version, time, vendor, migration state, the sha256 of
  each member, and per-table row counts and content checksums.

The table checksums are computed from exactly the snapshot that was archived (the
SQLite copy itself; on PostgreSQL the same exported snapshot pg_dump reads), so a
restored database can be compared table by table with what was backed up. Every
archive is verified after writing and before it is restored; a bad one raises
BackupError and changes nothing.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, connections

FORMAT = "guanxi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KEYS = "keys.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
# SQLite pages copied per backup step; small steps keep the progress bar moving.
PAGES_PER_STEP = 4096
HASH_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup could not be written or verified, or an archive is unusable."""


class Progress(Protocol):
    def print(self, *objects: Any) -> None: ...


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress.print(message)


# ---------------------------------------------------------------------------
# Checksums: one sha256 per table over its rows in primary-key order.
# ---------------------------------------------------------------------------

TableSums = dict[str, dict[str, Any]]


def _digest_rows(rows: Iterable[Any]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(repr(row).encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_checksums(db: sqlite3.Connection) -> TableSums:
    """Row count and content checksum of every table in a SQLite database."""
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    sums: TableSums = {}
    for table in tables:
        columns = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        pk = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
        # Without a primary key, ordering by every column is still deterministic:
        # rows that tie are identical, so their order does not change the digest.
        order = ", ".join(_quote(c) for c in pk) or ", ".join(
            str(i + 1) for i in range(len(columns))
        )
        rows = db.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
        count, digest = _digest_rows(rows)
        sums[table] = {"rows": count, "sha256": digest}
    return sums


# The row text PostgreSQL prints depends on these session settings; fixing them
# makes the same rows give the same checksum on any server or client.
PG_SESSION = (
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';"
    "SET extra_float_digits = 3; SET bytea_output = 'hex'"
)


def pg_checksums(conn: Any) -> TableSums:
    """Row count and checksum of every table in the current schema (psycopg connection).

    Rows are streamed through a server-side cursor as PostgreSQL's own row text,
    so a table of millions of rows never sits in memory.
    """
    tables = conn.execute(
        "SELECT c.oid, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    ).fetchall()
    sums: TableSums = {}
    for oid, table in tables:
        pk = [
            name
            for (name,) in conn.execute(
                "SELECT a.attname FROM pg_index i "
                "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.ord",
                (oid,),
            )
        ]
        order = ", ".join(f"t.{_quote(c)}" for c in pk) or "t::text"
        with conn.cursor(name=f"gx_sum_{secrets.token_hex(4)}") as cur:
            cur.itersize = 5000
            cur.execute(f"SELECT t::text FROM {_quote(table)} t ORDER BY {order}")
            count, digest = _digest_rows(row[0] for row in cur)
        sums[table] = {"rows": count, "sha256": digest}
    return sums


def compare_checksums(expected: TableSums, actual: TableSums, where: str) -> None:
    """Raise BackupError naming every table whose rows differ from the manifest."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            problems.append(f"{table}: not in the manifest")
        elif got is None:
            problems.append(f"{table}: missing")
        elif want != got:
            problems.append(
                f"{table}: {got['rows']} rows, expected {want['rows']}"
                + (" (same count, different content)" if got["rows"] == want["rows"] else "")
            )
    if problems:
        raise BackupError(f"{where} does not match the manifest: " + "; ".join(problems))


def current_checksums() -> TableSums:
    """Checksums of the configured database, read the same way a backup reads them."""
    if connection.vendor == "sqlite":
        with contextlib.closing(_sqlite_open(_sqlite_path())) as db:
            return sqlite_checksums(db)
    with contextlib.closing(_pg_connect(_pg_params())) as conn:
        _pg_session(conn)
        return _pg_consistent_checksums(conn)


# ---------------------------------------------------------------------------
# Files and archives
# ---------------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _scratch_dir(near: Path) -> Iterator[Path]:
    """A private (0700) temporary directory on the same file system as `near`."""
    near.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".guanxi-backup-", dir=near))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _key_file() -> Path:
    return Path(settings.GUANXI_KEY_FILE)


def _write_archive(target: Path, members: dict[str, Path], manifest: dict[str, Any]) -> None:
    """Write the archive to a 0600 temp file beside `target`, to be renamed once verified."""
    payload = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
    with target.open("wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(payload)
        info.mode = 0o600
        info.mtime = int(datetime.now(UTC).timestamp())
        tar.addfile(info, io.BytesIO(payload))
        for name, path in members.items():
            info = tar.gettarinfo(str(path), arcname=name)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            with path.open("rb") as fh:
                tar.addfile(info, fh)
        raw.flush()
        os.fsync(raw.fileno())


def _read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Extract an archive's known members into `into` and check them against the manifest.

    Only the member names Guanxi writes are extracted (never a path from the
    archive), and every member's sha256 must match: a truncated, corrupted or
    foreign file is refused here, before anything is replaced.
    """
    if not archive.is_file():
        raise BackupError(f"no such backup file: {archive}")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            names = tar.getnames()
            if MANIFEST not in names:
                raise BackupError(f"{archive} is not a Guanxi backup (no {MANIFEST})")
            manifest_fh = tar.extractfile(MANIFEST)
            assert manifest_fh is not None
            manifest = json.loads(manifest_fh.read().decode("utf-8"))
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{archive} is not a Guanxi backup")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"backup format version {manifest.get('format_version')} is not supported "
                    f"(this Guanxi reads version {FORMAT_VERSION})"
                )
            for name in manifest["files"]:
                if name not in (SQLITE_MEMBER, PG_MEMBER, KEYS):
                    raise BackupError(f"unexpected member {name!r} in {archive}")
                source = tar.extractfile(name)
                if source is None:
                    raise BackupError(f"{archive} lacks {name}")
                fd = os.open(into / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(source, out, HASH_CHUNK)
    except (tarfile.TarError, EOFError, OSError, zlib.error, ValueError, KeyError) as exc:
        raise BackupError(f"{archive} is damaged or truncated: {exc}") from exc
    for name, meta in manifest["files"].items():
        if _file_sha256(into / name) != meta["sha256"]:
            raise BackupError(f"{archive} is damaged: checksum of {name} does not match")
    return manifest


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of a verified archive (all member checksums checked)."""
    with _scratch_dir(Path(tempfile.gettempdir())) as scratch:
        return _read_archive(Path(archive), scratch)


def _migrations(db: Any) -> list[str]:
    rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    return [f"{app}.{name}" for app, name in rows]


# ---------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("the database is in memory; there is no file to back up or restore")
    return Path(name)


def _sqlite_open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=30, isolation_level=None)


def _sqlite_integrity(db: sqlite3.Connection, what: str) -> None:
    result = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{what} fails the integrity check: {'; '.join(result[:5])}")


def _sqlite_copy(source: Path, dest: Path, progress: Progress | None) -> None:
    """Copy a live SQLite database page by page with the online backup API.

    In WAL mode (Guanxi's setting) a reader never blocks writers, so one read
    transaction is held across all steps: every page comes from the same
    snapshot, and writes committed meanwhile neither wait for the copy nor
    restart it. In rollback-journal mode a reader would block writers and other
    writers would restart a stepped copy, so there it is taken in one step.
    """
    if not source.exists():
        raise BackupError(f"database file {source} does not exist")
    src = _sqlite_open(source)
    dst = sqlite3.connect(dest, isolation_level=None)
    bar = _progress_bar(progress, "copying database pages")
    try:
        wal = str(src.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        if wal:
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(status: int, remaining: int, total: int) -> None:
            if bar is not None:
                bar.update(bar.task_ids[0], total=total, completed=total - remaining)

        with bar if bar is not None else contextlib.nullcontext():
            src.backup(dst, pages=PAGES_PER_STEP if wal else -1, progress=step)
        if wal:
            src.execute("COMMIT")
        # The archive holds one self-contained file; Django switches WAL back on.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy the database: {exc}") from exc
    finally:
        src.close()
        dst.close()


def _sqlite_snapshot(scratch: Path, progress: Progress | None) -> tuple[Path, dict[str, Any]]:
    copy = scratch / SQLITE_MEMBER
    _sqlite_copy(_sqlite_path(), copy, progress)
    _say(progress, "checking the copy (integrity, row checksums)…")
    with contextlib.closing(_sqlite_open(copy)) as db:
        _sqlite_integrity(db, "the backup copy")
        return copy, {
            "tables": sqlite_checksums(db),
            "migrations": _migrations(db),
            "server_version": sqlite3.sqlite_version,
        }


def _sqlite_verify(copy: Path, manifest: dict[str, Any], what: str) -> None:
    with contextlib.closing(_sqlite_open(copy)) as db:
        _sqlite_integrity(db, what)
        compare_checksums(manifest["tables"], sqlite_checksums(db), what)


def _sqlite_replace(copy: Path, manifest: dict[str, Any], progress: Progress | None) -> None:
    """Swap the verified copy in for the live database file."""
    db_path = _sqlite_path()
    connections.close_all()
    mode = 0o600
    if db_path.exists():
        mode = db_path.stat().st_mode & 0o777
        # Fold the old WAL into the old file first: a stale -wal left beside the
        # new file would be replayed into it and corrupt it.
        with contextlib.closing(_sqlite_open(db_path)) as old:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.chmod(copy, mode)
    os.replace(copy, db_path)
    _fsync_dir(db_path.parent)
    _say(progress, "checking the restored database…")
    _sqlite_verify(db_path, manifest, "the restored database")


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------


def _pg_params(dbname: str | None = None) -> dict[str, str]:
    conf = connection.settings_dict
    params = {
        "dbname": dbname or str(conf["NAME"]),
        "user": str(conf.get("USER") or ""),
        "password": str(conf.get("PASSWORD") or ""),
        "host": str(conf.get("HOST") or ""),
        "port": str(conf.get("PORT") or ""),
    }
    return {k: v for k, v in params.items() if v}


def _pg_connect(params: dict[str, str]) -> Any:
    import psycopg

    return psycopg.connect(**params, autocommit=True)


def _pg_session(conn: Any) -> None:
    for statement in PG_SESSION.split(";"):
        conn.execute(statement)


def _pg_consistent_checksums(conn: Any) -> TableSums:
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        return pg_checksums(conn)
    finally:
        conn.execute("COMMIT")


def _pg_tool_args(params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if key in params:
            args += [flag, params[key]]
    env = dict(os.environ)
    if "password" in params:
        env["PGPASSWORD"] = params["password"]
    return args, env


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(match.group(1)) if match else 0


def _pg_tool(name: str, server_major: int) -> str:
    """pg_dump/pg_restore of a major version ≥ the server's (older ones refuse)."""
    candidates = [found] if (found := shutil.which(name)) else []
    candidates += sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: _major(Path(p).parent.parent.name),
        reverse=True,
    )
    for candidate in candidates:
        out = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
        if _major(out.partition("(PostgreSQL)")[2]) >= server_major:
            return candidate
    raise BackupError(
        f"{name} {server_major} or newer was not found; install postgresql-client-{server_major}"
    )


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def _pg_snapshot(scratch: Path, progress: Progress | None) -> tuple[Path, dict[str, Any]]:
    """pg_dump and the manifest's checksums read one exported snapshot, so they agree."""
    params = _pg_params()
    dump = scratch / PG_MEMBER
    with contextlib.closing(_pg_connect(params)) as conn:
        _pg_session(conn)
        server = int(conn.execute("SHOW server_version_num").fetchone()[0])
        pg_dump = _pg_tool("pg_dump", server // 10000)
        args, env = _pg_tool_args(params)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _say(progress, "dumping the database (pg_dump) and checksumming the same snapshot…")
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump)]
        dumper = subprocess.Popen(
            [*command, *args, params["dbname"]], env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            # The snapshot lives as long as this transaction: pg_dump imports it at
            # start, and the checksums below read the same rows meanwhile.
            info = {
                "tables": pg_checksums(conn),
                "migrations": _migrations(conn),
                "server_version": str(server),
            }
        finally:
            _, stderr = dumper.communicate()
            conn.execute("COMMIT")
    if dumper.returncode != 0:
        raise BackupError(f"pg_dump failed: {stderr.strip()[-2000:]}")
    return dump, info


def _pg_restore_into(dump: Path, dbname: str, *, clean: bool) -> None:
    params = _pg_params(dbname)
    with contextlib.closing(_pg_connect(params)) as conn:
        server = int(conn.execute("SHOW server_version_num").fetchone()[0])
    args, env = _pg_tool_args(params)
    command = [_pg_tool("pg_restore", server // 10000), "--no-owner", "--no-privileges"]
    command += ["--exit-on-error", "--single-transaction"]
    if clean:
        # --clean drops each object before re-creating it; dropping core_event
        # takes its append-only triggers with it, which PostgreSQL allows.
        command += ["--clean", "--if-exists"]
    _run([*command, *args, "--dbname", dbname, str(dump)], env, "pg_restore")


def _pg_verify(dump: Path, manifest: dict[str, Any], progress: Progress | None) -> None:
    """Restore the dump into a throwaway database and compare it with the manifest."""
    params = _pg_params()
    with contextlib.closing(_pg_connect(params)) as conn:
        server = int(conn.execute("SHOW server_version_num").fetchone()[0])
        args, env = _pg_tool_args(params)
        _run([_pg_tool("pg_restore", server // 10000), "--list", str(dump)], env, "pg_restore")
        scratch_db = f"guanxi_verify_{secrets.token_hex(6)}"
        _say(progress, f"verifying: restoring into throwaway database {scratch_db}…")
        conn.execute(f"CREATE DATABASE {scratch_db} TEMPLATE template0")
        try:
            _pg_restore_into(dump, scratch_db, clean=False)
            with contextlib.closing(_pg_connect(_pg_params(scratch_db))) as copy:
                _pg_session(copy)
                sums = _pg_consistent_checksums(copy)
            compare_checksums(manifest["tables"], sums, "the verification restore")
        finally:
            conn.execute(f"DROP DATABASE IF EXISTS {scratch_db} WITH (FORCE)")


# ---------------------------------------------------------------------------
# Progress display
# ---------------------------------------------------------------------------


def _progress_bar(progress: Progress | None, label: str) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn
    from rich.progress import Progress as Bar

    if not isinstance(progress, Console):
        return None
    bar = Bar(TextColumn(label), BarColumn(), TaskProgressColumn(), console=progress)
    bar.add_task(label, total=None)
    return bar


# ---------------------------------------------------------------------------
# The two operations
# ---------------------------------------------------------------------------


def _include_keys(members: dict[str, Path], progress: Progress | None) -> str:
    from guanxi.core import crypto

    if os.environ.get("GUANXI_KEYS") and not _key_file().exists():
        _say(progress, "[yellow]keys come from GUANXI_KEYS; keep them safe separately[/yellow]")
        return "environment"
    members[KEYS] = crypto.ensure_key_file()
    return "included"


def verify_backup(archive: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Check an archive end to end; return its manifest or raise BackupError."""
    archive = Path(archive)
    with _scratch_dir(archive.resolve().parent) as scratch:
        manifest = _read_archive(archive, scratch)
        if manifest["vendor"] == "sqlite":
            _sqlite_verify(scratch / SQLITE_MEMBER, manifest, "the archived database")
        elif connection.vendor == "postgresql":
            _pg_verify(scratch / PG_MEMBER, manifest, progress)
        else:
            raise BackupError("a PostgreSQL backup can only be verified against PostgreSQL")
    return manifest


def create_backup(path: Path | str, progress: Progress | None = None) -> dict[str, Any]:
    """Take a consistent online backup while the app keeps writing, verify it, write it.

    The archive appears at `path` only once verified (temp file + rename), with
    mode 0600 because it holds the encryption keys.
    """
    from guanxi import __version__

    target = Path(path).resolve()
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {vendor} databases are not supported")
    with _scratch_dir(target.parent) as scratch:
        work = scratch / "snapshot"
        work.mkdir(mode=0o700)
        if vendor == "sqlite":
            database, info = _sqlite_snapshot(work, progress)
        else:
            database, info = _pg_snapshot(work, progress)
        members = {database.name: database}
        keys = _include_keys(members, progress)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "guanxi_version": __version__,
            "vendor": vendor,
            "server_version": info["server_version"],
            "migrations": info["migrations"],
            "keys": keys,
            "files": {
                name: {"sha256": _file_sha256(p), "bytes": p.stat().st_size}
                for name, p in members.items()
            },
            "tables": info["tables"],
            "total_rows": sum(t["rows"] for t in info["tables"].values()),
        }
        archive = scratch / "archive.tar.gz"
        _write_archive(archive, members, manifest)
        _say(progress, "verifying the written archive…")
        verify_backup(archive, progress)
        os.chmod(archive, 0o600)
        os.replace(archive, target)
        _fsync_dir(target.parent)
    return manifest


def _restore_keys(scratch: Path, manifest: dict[str, Any], progress: Progress | None) -> None:
    """Put the archived key file in place, keeping the old one as .bak if it differs."""
    from guanxi.core import crypto

    if KEYS not in manifest["files"]:
        _say(progress, "[yellow]the backup holds no key file; keys must come from GUANXI_KEYS")
        return
    target = _key_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    new = (scratch / KEYS).read_bytes()
    if target.exists() and target.read_bytes() != new:
        backup = target.with_name(target.name + ".bak")
        fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(target.read_bytes())
        _say(progress, f"previous key file kept as {backup}")
    os.chmod(scratch / KEYS, 0o600)
    os.replace(scratch / KEYS, target)
    _fsync_dir(target.parent)
    if os.environ.get("GUANXI_KEYS"):
        _say(progress, "[yellow]GUANXI_KEYS is set and takes precedence over the key file")
    crypto.reset_key_ring()


def restore_backup(path: Path | str, progress: Progress | None = None) -> dict[str, Any]:
    """Verify an archive, then replace the configured database and key file with it.

    Nothing is touched until the archive has passed its checks; afterwards the
    live database is compared with the manifest again.
    """
    archive = Path(path).resolve()
    vendor = connection.vendor
    near = _sqlite_path().parent if vendor == "sqlite" else archive.parent
    with _scratch_dir(near) as scratch:
        manifest = _read_archive(archive, scratch)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"this backup is of a {manifest['vendor']} database; "
                f"the configured database is {vendor}"
            )
        _say(progress, "archive checksums ok; checking the archived database…")
        if vendor == "sqlite":
            _sqlite_verify(scratch / SQLITE_MEMBER, manifest, "the archived database")
            _sqlite_replace(scratch / SQLITE_MEMBER, manifest, progress)
        else:
            args, env = _pg_tool_args(_pg_params())
            with contextlib.closing(_pg_connect(_pg_params())) as conn:
                server = int(conn.execute("SHOW server_version_num").fetchone()[0])
            _run(
                [_pg_tool("pg_restore", server // 10000), "--list", str(scratch / PG_MEMBER)],
                env,
                "pg_restore --list",
            )
            connections.close_all()
            _say(progress, "restoring (pg_restore --clean --single-transaction)…")
            _pg_restore_into(scratch / PG_MEMBER, str(connection.settings_dict["NAME"]), clean=True)
            compare_checksums(manifest["tables"], current_checksums(), "the restored database")
        _restore_keys(scratch, manifest, progress)
    return manifest
