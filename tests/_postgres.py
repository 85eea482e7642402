"""A throw-away PostgreSQL server for the export tests: initdb in a temporary folder, pg_ctl
start on a free private port with its socket in that folder, stopped at the end.

The binaries come from Debian's package (``/usr/lib/postgresql/*/bin``, installed by
``.ci/run``); without them the tests skip with the reason. PostgreSQL refuses to run as root,
so under root the folder is handed to the ``postgres`` user and the commands run as it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "s3cret-Pw!"  # the role's password; tests check it never shows up


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str

    def dsn(self, password: str | None = PASSWORD, dbname: str = "postgres") -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{self.user}{secret}@{self.host}:{self.port}/{dbname}"


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` holding initdb and pg_ctl, or None."""
    found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")
             if (Path(p) / "initdb").exists() and (Path(p) / "pg_ctl").exists()]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def cannot_start_reason() -> str | None:
    """Why no server can be started here (the tests skip with it), or None."""
    if find_bin_dir() is None:
        return ("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin "
                "(apt-get install postgresql)")
    if os.geteuid() == 0:
        import pwd

        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as another user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to start PostgreSQL as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server() -> Iterator[Server]:
    """Start a private server; yields how to reach it (password login over TCP)."""
    reason = cannot_start_reason()
    if reason:
        raise RuntimeError(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    as_root = os.geteuid() == 0
    runner = shutil.which("runuser") if as_root else None
    # Under root, /tmp: the postgres user must be able to reach the folder (a TMPDIR inside
    # /root would not be), and a short path keeps the socket's under its 107-byte limit.
    root = Path(tempfile.mkdtemp(prefix="custfocus-pg-", dir="/tmp" if as_root else None))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    (root / "pw").write_text(PASSWORD + "\n")
    if as_root:
        import pwd

        owner = pwd.getpwnam("postgres")
        for path in (root, sockets, root / "pw"):
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def run(*args: str) -> None:
        command = [str(bin_dir / args[0]), *args[1:]]
        if as_root:
            command = [str(runner), "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    port = _free_port()
    user = "custfocus_test"
    run("initdb", "-D", str(data), "-U", user, "--pwfile", str(root / "pw"), "-A",
        "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale", "C")
    run("pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield Server("127.0.0.1", port, user)
    finally:
        try:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)
