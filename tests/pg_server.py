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
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"  # the bootstrap role initdb creates, whatever the OS user
MISSING = "PostgreSQL server binaries not found (apt-get install postgresql)"


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

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

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
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return server

    def stop(self) -> None:
        """Stop the server (immediate: its data is about to be deleted) and delete the folder."""
        if self.folder.exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):  # already stopped
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            shutil.rmtree(self.folder, ignore_errors=True)
