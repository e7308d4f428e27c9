"""A real PostgreSQL server (Debian's packages) for tests, on a free loopback port.

Started as the `postgres` user when the tests run as root (the server refuses root), with
password authentication, in a fresh data folder that is removed afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

PASSWORD = "s3cret-pg-test-password"  # the secret the tests check never shows
USER = "mmrag"


def bindir() -> Path | None:
    """Debian's PostgreSQL programs (newest version), None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class PgServer:
    folder: Path
    port: int
    bin: Path
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/mmrag"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True,
                              timeout=120)

    def start(self) -> None:
        log = self.folder / "server.log"
        done = self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                         str(log), "-w", "-t", "60", "-o",
                         f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                         "-c fsync=off -c max_connections=50", "start")
        if done.returncode:
            tail = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"PostgreSQL did not start: {done.stderr}{tail}")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                  "-w", "stop")


def start_server() -> PgServer:
    """initdb + start; the database `mmrag` owned by USER (password PASSWORD)."""
    found = bindir()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (Debian package postgresql; the Makefile's "
                        "system-deps installs it)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="mmrag-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    (folder / "pw").write_text(PASSWORD)
    if as_user:
        shutil.chown(folder / "pw", "postgres")
    server = PgServer(folder, free_port(), found, as_user)
    done = server._run(str(found / "initdb"), "-D", str(folder / "data"), "-U", USER,
                       "--auth=scram-sha-256", f"--pwfile={folder / 'pw'}", "-E", "UTF8",
                       "--no-locale")
    if done.returncode:
        pytest.fail(f"initdb failed: {done.stderr[-2000:]}")
    server.start()
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(f"postgresql://{USER}@127.0.0.1:{server.port}/postgres",
                                 password=PASSWORD, autocommit=True) as conn:
                conn.execute("CREATE DATABASE mmrag")
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    return server


def remove_server(server: PgServer) -> None:
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)
