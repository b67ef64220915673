"""Live chat round trip with N concurrent conversations on ONE server process.

Two runs with the same client code, in the same minute on the same machine:
  1. guanxi: `guanxi serve --workers 1` (uvicorn + Channels, in-memory layer
     unless GUANXI_REDIS_URL is set), N visitor sockets each with its own agent's
     console socket. Every line goes through the real path: origin check, session
     or signed-cookie auth, `actions.post_message` (a transaction writing the
     message, the conversation's read position and one event), the push after
     commit, the other side's consumer.
  2. relay: a plain `websockets` server in one process that forwards each frame
     from a visitor socket to its paired agent socket and back (no Django, no
     database) — the floor for the same hops on the same machine.

One round trip: the visitor sends a line → the agent's socket receives it
(`one_way`) → the agent replies at once → the visitor's socket receives the reply
(`round_trip`). Each visitor waits --interval seconds (±20 % jitter) between its
lines, a fast human typist; the visitor rate limit (60 a minute) allows 1/s.
Figures: p50/p95/p99/max over all lines; the ratio guanxi p99 ÷ relay p99.

    GUANXI_DATA_DIR=/tmp/gx-chat-bench .venv/bin/python bench/chat_roundtrip.py
    GUANXI_DATA_DIR=/tmp/gx-chat-bench-pg \
      GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_chat_bench \
      .venv/bin/python bench/chat_roundtrip.py

Setup (users, conversations, sessions) is written through the actions into the
database the environment names, before the server starts. Only 127.0.0.1 is
contacted; every wait is bounded by a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GUANXI = str(ROOT / ".venv" / "bin" / "guanxi")


# --- the baseline relay server (run as a child process) ---------------------------------


async def relay_server(port: int) -> None:
    """Forward /v/<i> ⇄ /a/<i>: the same hops as the chat, nothing else."""
    from websockets.asyncio.server import ServerConnection, serve

    peers: dict[str, ServerConnection] = {}

    async def handler(ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else ""
        _, side, pair = path.split("/")[:3]
        peers[f"{side}{pair}"] = ws
        other = f"{'a' if side == 'v' else 'v'}{pair}"
        async for frame in ws:
            target = peers.get(other)
            if target is not None:
                # Parse and frame it as the chat does, so both runs carry the same bytes.
                body = json.loads(frame)["body"]
                await target.send(json.dumps({"type": "message", "message": {"body": body}}))

    async with serve(handler, "127.0.0.1", port, max_queue=None):
        await asyncio.Future()


# --- setup in the database ---------------------------------------------------------------


def setup(sessions: int) -> list[dict[str, Any]]:
    """N agents, each with one accepted conversation; returns the credentials."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from guanxi.chat import actions
    from guanxi.chat.visitors import COOKIE, token_for
    from guanxi.core.actions import add_user
    from guanxi.core.crypto import ensure_key_file
    from guanxi.core.models import User

    ensure_key_file()
    call_command("migrate", interactive=False, verbosity=0)
    pairs = []
    for i in range(sessions):
        username = f"bench_chat_agent_{i:03d}"
        agent = User.objects.filter(username=username).first() or add_user(
            username, "Bench-Chat-2026!", role="agent", by=None, display_name=f"客服{i:03d}"
        )
        conversation = actions.start_conversation(
            {"visitor_name": f"访客{i:03d}", "body": "你好"}, ip=f"10.0.{i // 250}.{i % 250 + 1}"
        )
        actions.accept_conversation(conversation, by=agent)
        client = Client()
        client.force_login(agent)
        pairs.append(
            {
                "conversation": conversation.pk,
                "agent_cookie": f"{settings.SESSION_COOKIE_NAME}="
                f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
                "visitor_cookie": f"{COOKIE}={token_for(conversation.pk)}",
            }
        )
    return pairs


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )  # its own process group, so we stop exactly what we started


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


# --- the clients ---------------------------------------------------------------------------


async def run_clients(
    urls: list[tuple[str, str, dict[str, str], dict[str, str], int]],
    lines: int,
    interval: float,
    origin: str,
) -> dict[str, Any]:
    """urls: (visitor url, agent url, visitor headers, agent headers, conversation id)."""
    from websockets.asyncio.client import ClientConnection, connect

    one_way: list[float] = []
    round_trip: list[float] = []
    errors: list[str] = []

    async def until(ws: ClientConnection, body: str) -> None:
        """The next line with this body (a visitor is not told the agent's client tags)."""
        async with asyncio.timeout(30):
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "error":
                    raise RuntimeError(frame.get("message"))
                if (
                    frame.get("type") == "message"
                    and (frame.get("message") or {}).get("body") == body
                ):
                    return

    async def pair(
        index: int, v_url: str, a_url: str, v_h: dict[str, str], a_h: dict[str, str], cid: int
    ) -> None:
        rng = random.Random(index)
        try:
            async with (
                connect(v_url, origin=origin, additional_headers=v_h, max_queue=None) as visitor,  # type: ignore[arg-type]
                connect(a_url, origin=origin, additional_headers=a_h, max_queue=None) as agent,  # type: ignore[arg-type]
            ):
                await asyncio.sleep(rng.uniform(0, interval))  # spread the first lines
                for k in range(lines):
                    line, reply = f"第{k}个问题 v{index}", f"好的 a{index}-{k}"
                    t0 = time.perf_counter()
                    await visitor.send(
                        json.dumps({"type": "message", "body": line, "client_id": f"{k}"})
                    )
                    await until(agent, line)
                    t1 = time.perf_counter()
                    await agent.send(
                        json.dumps({"type": "message", "conversation": cid, "body": reply})
                    )
                    await until(visitor, reply)
                    t2 = time.perf_counter()
                    one_way.append(t1 - t0)
                    round_trip.append(t2 - t0)
                    await asyncio.sleep(interval * rng.uniform(0.8, 1.2))
        except Exception as exc:  # noqa: BLE001 — counted and reported, not hidden
            errors.append(f"{index}: {type(exc).__name__}: {exc}")

    started = time.perf_counter()
    await asyncio.gather(*(pair(i, *u) for i, u in enumerate(urls)))
    elapsed = time.perf_counter() - started
    return {
        "lines": len(round_trip),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 1),
        "lines_per_s": round(len(round_trip) / elapsed, 1) if elapsed else 0,
        "one_way_ms": summary(one_way),
        "round_trip_ms": summary(round_trip),
    }


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ms = sorted(v * 1000 for v in values)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "p50": round(q[49], 2),
        "p95": round(q[94], 2),
        "p99": round(q[98], 2),
        "max": round(ms[-1], 2),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), for CPU per line."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    name: str, proc: subprocess.Popen[bytes], urls: list[Any], args: Any, base: str
) -> dict[str, Any]:
    cpu = cpu_seconds(proc.pid)
    result = asyncio.run(run_clients(urls, args.lines, args.interval, f"http://{base}"))
    # Two lines per round trip: the visitor's and the agent's reply.
    used = cpu_seconds(proc.pid) - cpu
    result["server_cpu_ms_per_line"] = round(used * 1000 / max(1, 2 * result["lines"]), 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--lines", type=int, default=30, help="lines per visitor")
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between a visitor's lines"
    )
    parser.add_argument("--relay-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.relay_server:
        asyncio.run(relay_server(args.relay_server))
        return

    pairs = setup(args.sessions)
    env = {**os.environ, "GUANXI_DEBUG": "0"}
    results: dict[str, Any] = {
        "sessions": args.sessions,
        "lines_per_session": args.lines,
        "interval_s": args.interval,
        "database": os.environ.get("GUANXI_DATABASE_URL", "sqlite").split("@")[-1],
        "channel_layer": "redis" if os.environ.get("GUANXI_REDIS_URL") else "in-memory",
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
    }

    port = free_port()
    server = start(
        [GUANXI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--no-migrate", "--no-jobs"],
        env,
    )  # fmt: skip
    try:
        wait_port(port, server)
        base = f"127.0.0.1:{port}"
        urls = [
            (f"ws://{base}/ws/chat/visitor/{p['conversation']}/", f"ws://{base}/ws/chat/console/",
             {"Cookie": p["visitor_cookie"]}, {"Cookie": p["agent_cookie"]}, p["conversation"])
            for p in pairs
        ]  # fmt: skip
        results["guanxi"] = measure("guanxi", server, urls, args, base)
    finally:
        stop(server)

    port = free_port()
    relay = start([sys.executable, __file__, "--relay-server", str(port)], env)
    try:
        wait_port(port, relay)
        base = f"127.0.0.1:{port}"
        urls = [(f"ws://{base}/v/{i}", f"ws://{base}/a/{i}", {}, {}, i) for i in range(len(pairs))]
        results["relay"] = measure("relay", relay, urls, args, base)
    finally:
        stop(relay)

    g, r = results["guanxi"]["round_trip_ms"], results["relay"]["round_trip_ms"]
    if g and r:
        results["p99_ratio_guanxi_over_relay"] = round(g["p99"] / r["p99"], 1)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
