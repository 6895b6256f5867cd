"""``referat serve`` as a real process, answering over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa

from api.loaders.ingest import ingest_paths
from tests.conftest import HOME
from tests.paths import SEEDS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_graphql_over_http(
    engine: sa.Engine, referat: Path, cli_env: dict[str, str]
) -> None:
    ingest_paths(engine, [SEEDS], default_organization=HOME)
    port = free_port()
    server = subprocess.Popen(
        [referat, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the server did not start in 20 s"
            time.sleep(0.1)
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": '{ case(number: "19/227") { agendaItems { id } } }'},
        ).json()
        assert len(answer["data"]["case"]["agendaItems"]) == 4
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert '"path": "/graphql"' in output  # the structured access log


def test_serve_refuses_an_unmigrated_database(
    referat: Path, new_database: Callable[[str], str]
) -> None:
    done = subprocess.run(
        [referat, "serve", "--port", str(free_port())],
        env={**os.environ, "DATABASE_URL": new_database("sqlite")},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "run `referat migrate`" in done.stderr
