"""A throwaway PostgreSQL server for the test session (Debian's `postgresql` package).

Why a real server and not a mock: the PostgreSQL store's correctness lives in
SQL (upserts, partial indexes, advisory locks, transactions), which only a
real server checks. The server lives in a fresh temp folder (data, socket,
log), listens on 127.0.0.1 on a free port with trust authentication (nothing
else can reach it), runs with fsync off (its data is thrown away), and is
stopped and deleted at the end of the session.

PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` system user the Debian package creates (or `nobody`), through
subprocess's `user=`/`group=`; as anyone else it runs as that user.

A killed test session (SIGKILL, a CI timeout) runs no teardown, and pg_ctl
puts the server in its own session, out of reach of a signal to the test's
process group. So each server has a watchdog: a small process, also in its
own session, that holds a pipe from the test session; when the pipe closes,
however the session ended, it stops the server and deletes the folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"  # the bootstrap role initdb creates, whatever the OS user
MISSING = "PostgreSQL server binaries not found (apt-get install postgresql)"


# argv[1]: the server's folder. Waits for end of input (the test session is
# gone, or stopped the server itself), then SIGQUIT (immediate shutdown) to
# the postmaster named in postmaster.pid, and deletes the folder.
WATCHDOG = """
import os, shutil, signal, sys, time
folder = sys.argv[1]
sys.stdin.read()
try:
    with open(os.path.join(folder, "data", "postmaster.pid")) as pidfile:
        pid = int(pidfile.readline())
    os.kill(pid, signal.SIGQUIT)
    for _ in range(100):
        os.kill(pid, 0)
        time.sleep(0.1)
except (OSError, ValueError):
    pass
shutil.rmtree(folder, ignore_errors=True)
"""


# A server already running, for every test session that sees this variable: `make
# mutate` starts one for all its runs, so that each mutant does not pay for initdb.
SHARED_PORT_ENV = "ADVOCACY_TEST_PG_PORT"


def server_url(port: int, database: str = "postgres") -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


@dataclass(frozen=True)
class SharedServer:
    """A server someone else started and will stop (SHARED_PORT_ENV)."""

    port: int

    def url(self, database: str = "postgres") -> str:
        return server_url(self.port, database)


def find_bindir() -> Path | None:
    """Debian's newest `/usr/lib/postgresql/<major>/bin` with initdb and pg_ctl, else PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit()
                        else 0)
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_account() -> pwd.struct_passwd | None:
    """Who runs the server: None means "this process's user" (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no 'postgres' or 'nobody' user to run PostgreSQL")


@dataclass
class PostgresServer:
    bindir: Path
    folder: Path
    port: int
    account: pwd.struct_passwd | None
    watchdog: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return server_url(self.port, database)

    def _run(self, *args: str) -> None:
        kwargs: dict = {}
        if self.account is not None:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        result = subprocess.run([str(self.bindir / args[0]), *args[1:]], cwd=self.folder, env=env,
                                capture_output=True, text=True, timeout=60, **kwargs)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")

    @classmethod
    def start(cls, bindir: Path) -> PostgresServer:
        folder = Path(tempfile.mkdtemp(prefix="advocacy-bot-pg-"))
        account = _server_account()
        if account is not None:
            os.chown(folder, account.pw_uid, account.pw_gid)
        (folder / "socket").mkdir()
        if account is not None:
            os.chown(folder / "socket", account.pw_uid, account.pw_gid)
        server = cls(bindir, folder, 0, account)
        server.watchdog = subprocess.Popen([sys.executable, "-c", WATCHDOG, str(folder)],
                                           stdin=subprocess.PIPE, start_new_session=True)
        try:
            server._run("initdb", "-D", str(server.data), "-U", SUPERUSER, "-A", "trust",
                        "-E", "UTF8", "--no-sync", "--no-instructions")
            for _attempt in range(3):  # the free port may be taken between probe and start
                server.port = _free_port()
                options = (f"-c listen_addresses=127.0.0.1 -c port={server.port}"
                           f" -c unix_socket_directories={folder / 'socket'}"
                           " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                           " -c max_connections=200")
                try:
                    server._run("pg_ctl", "-D", str(server.data), "-l", str(folder / "server.log"),
                                "-o", options, "-w", "-t", "30", "start")
                    break
                except RuntimeError:
                    if _attempt == 2:
                        raise
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Stop the server (immediate: its data is about to be deleted) and delete the folder."""
        if self.folder.exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):  # already stopped
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.watchdog is not None:  # nothing left for it to do: let it exit
            self.watchdog.stdin.close()
            self.watchdog.wait(timeout=30)
            self.watchdog = None
