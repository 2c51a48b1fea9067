#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

Usage::

    python scripts/with_postgres.py -- <command> [args...]

Starts a fresh PostgreSQL cluster in a new temporary folder (trust auth, fsync off,
max_connections=300, listening on a free port on 127.0.0.1, unix socket inside the
folder), creates the database ``mosprom``, runs the command with::

    DATABASE_URL=postgres://postgres@127.0.0.1:<port>/mosprom
    PGTEST_PORT=<port>

and exits with the command's exit code. The cluster is stopped and the folder removed
afterwards, also on failure, Ctrl-C, SIGTERM and SIGHUP (not on SIGKILL).

Binaries (initdb, pg_ctl, postgres, createdb) come from ``$PG_BINDIR`` if set, else
from PATH, else from the newest ``/usr/lib/postgresql/*/bin``. If none are found the
command is skipped with exit code 0, or fails with exit code 1 when ``CI=true``.

PostgreSQL refuses to run as root, so as root the server tools run as the ``postgres``
user (through ``runuser``) and the temporary folder belongs to that user.

Standard library only: it runs before any virtualenv exists.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DB_NAME = "mosprom"
DB_USER = "postgres"
SERVER_SETTINGS = {
    # Speed over durability: the cluster is thrown away after the run.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # Concurrency tests open ~200 connections at once.
    "max_connections": "300",
    "listen_addresses": "'127.0.0.1'",
}
PREFIX = "with_postgres:"
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(Exception):
    """A signal arrived before the command started; unwinds into the cleanup."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def log(message: str) -> None:
    """Our own messages go to stderr so the command's stdout stays clean."""
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)


def is_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def find_bindir() -> str | None:
    """Return the folder holding initdb, pg_ctl and postgres, or None."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a symlink into /usr/lib/postgresql/15/bin: use the
        # real folder so createdb comes from the same version (not Debian's pg_wrapper).
        candidates.append(os.path.dirname(os.path.realpath(on_path)))
        candidates.append(os.path.dirname(on_path))

    def version_key(path: str) -> tuple[int, ...]:
        version = path.split(os.sep)[-2]
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True)
    for bindir in candidates:
        if all(
            os.access(os.path.join(bindir, name), os.X_OK)
            for name in ("initdb", "pg_ctl", "postgres")
        ):
            return bindir
    return None


def free_port() -> int:
    """Ask the kernel for a free TCP port on 127.0.0.1 (tiny race until postgres binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A temporary PostgreSQL cluster: start(), then stop() exactly once."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.run_as: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.run_as = pwd.getpwnam("postgres")
            except KeyError:
                raise SystemExit(
                    f"{PREFIX} running as root but there is no 'postgres' user to run the "
                    "server as (PostgreSQL refuses to run as root)"
                ) from None
        # As root, /tmp rather than $TMPDIR: the postgres user must be able to reach it.
        self.root = tempfile.mkdtemp(prefix="pgtest-", dir="/tmp" if self.run_as else None)
        self.datadir = os.path.join(self.root, "data")
        self.sockdir = os.path.join(self.root, "run")
        self.logfile = os.path.join(self.root, "postgres.log")
        self.port = 0
        self.starting = False  # True while pg_ctl start runs (it may be interrupted)
        os.mkdir(self.sockdir, 0o700)
        if self.run_as:
            for path in (self.root, self.sockdir):
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)

    def tool(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a server tool from bindir, as the postgres user when we are root."""
        command = [os.path.join(self.bindir, name), *args]
        extra = {}
        if self.run_as:
            if shutil.which("runuser"):
                command = ["runuser", "-u", self.run_as.pw_name, "--", *command]
            else:  # No util-linux: let subprocess drop privileges itself.
                extra = {
                    "user": self.run_as.pw_uid,
                    "group": self.run_as.pw_gid,
                    "extra_groups": [],
                }
        proc = subprocess.Popen(
            command,
            cwd=self.root,  # The caller's cwd may not be readable by the postgres user.
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **extra,
        )
        try:
            stdout, stderr = proc.communicate()
        except Interrupted:
            # Not SIGKILL (what subprocess.run does): runuser would die without passing it
            # on, leaving initdb or pg_ctl running. SIGTERM is forwarded by runuser and
            # lets initdb remove its half-made data folder.
            for signum in FORWARDED_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)
            proc.terminate()
            try:
                proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        result = subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{name} failed with exit code {result.returncode}:\n{result.stdout}{result.stderr}"
            )
        return result

    def version(self) -> str:
        # "postgres (PostgreSQL) 15.18 (Debian ...)" -> "PostgreSQL 15.18 (Debian ...)"
        output = self.tool("postgres", "--version").stdout.strip()
        return output.replace("postgres (PostgreSQL)", "PostgreSQL")

    def start(self) -> None:
        # C.UTF-8: byte-order collation (fast, deterministic) but a UTF-8 ctype, so that
        # UPPER()/ILIKE (Django's icontains) handle Cyrillic. Plain C where it is missing.
        for locale in ("C.UTF-8", "C"):
            result = self.tool(
                "initdb",
                *("-D", self.datadir, "-U", DB_USER, "-A", "trust", "-E", "UTF8"),
                *(f"--locale={locale}", "--no-sync"),
                check=locale == "C",
            )
            if result.returncode == 0:
                break
            log(f"initdb --locale={locale} failed, retrying with --locale=C")
        with open(os.path.join(self.datadir, "postgresql.conf"), "a", encoding="utf-8") as conf:
            conf.write("\n# with_postgres.py\n")
            conf.write(f"unix_socket_directories = '{self.sockdir}'\n")
            for key, value in SERVER_SETTINGS.items():
                conf.write(f"{key} = {value}\n")
        # Another process may grab the port between free_port() and the bind: retry.
        for attempt in range(1, 4):
            self.port = free_port()
            self.starting = True
            result = self.tool(
                "pg_ctl",
                *("start", "-w", "-t", "60", "-D", self.datadir, "-l", self.logfile),
                *("-o", f"-p {self.port}"),
                check=False,
            )
            self.starting = False
            if result.returncode == 0:
                break
            log_tail = self.log_tail()
            if attempt == 3 or "could not bind" not in log_tail:
                raise RuntimeError(f"pg_ctl start failed:\n{result.stderr}{log_tail}")
            log(f"port {self.port} was taken, trying another")
        createdb = os.path.join(self.bindir, "createdb")
        if not os.access(createdb, os.X_OK):
            createdb = shutil.which("createdb") or createdb
        # Over TCP with trust auth: works as any OS user, so no runuser needed here.
        result = subprocess.run(
            [createdb, "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER, DB_NAME],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"createdb failed:\n{result.stdout}{result.stderr}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def kill_postmaster(self, pidfile: str) -> None:
        """pg_ctl could not stop it: SIGKILL the pid in the pid file if it is our server."""
        try:
            with open(pidfile, encoding="utf-8") as handle:
                pid = int(handle.readline())
            # The pid file may be stale and its pid reused: check the command line first.
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if self.datadir.encode() not in handle.read():
                    return
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        except (OSError, ValueError):
            pass  # Gone already, or no /proc to check it against.

    def stop(self) -> None:
        """Stop the server (if any) and delete the folder; never raises."""
        pidfile = os.path.join(self.datadir, "postmaster.pid")
        # Interrupted during pg_ctl start: the postmaster (in its own session) may still
        # be coming up; give it a moment to write its pid file so it can be stopped.
        deadline = time.monotonic() + 5
        while self.starting and not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.1)
        if os.path.exists(pidfile):
            result = self.tool(
                "pg_ctl", "stop", "-w", "-m", "immediate", "-D", self.datadir, check=False
            )
            if result.returncode != 0 and os.path.exists(pidfile):
                self.kill_postmaster(pidfile)
        shutil.rmtree(self.root, ignore_errors=True)


def terminal_delivered_sigint() -> bool:
    """Whether a Ctrl-C reached our whole process group (so the child already has it)."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False  # No controlling terminal (CI, cron): the signal was sent to us alone.
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run the command; pass signals on to it and wait for it to finish."""
    pending: list[int] = []
    received_at: list[float] = []
    child: subprocess.Popen | None = None

    def forward(signum: int) -> None:
        if signum == signal.SIGINT and terminal_delivered_sigint():
            return  # Don't make it a double Ctrl-C for the child.
        if child is None:
            pending.append(signum)
        else:
            child.send_signal(signum)

    def on_signal(signum: int, _frame: object) -> None:
        received_at.append(time.monotonic())
        forward(signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, on_signal)
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        log(f"cannot run {command[0]!r}: {exc}")
        return 127
    for signum in pending:  # Arrived while the child was being started.
        child.send_signal(signum)

    # A child that ignores the signal gets SIGTERM after 10 s and SIGKILL after 20 s.
    escalation = [(10, signal.SIGTERM), (20, signal.SIGKILL)]
    while True:
        try:
            returncode = child.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
        while received_at and escalation and time.monotonic() - received_at[0] >= escalation[0][0]:
            child.send_signal(escalation.pop(0)[1])
    # A child killed by a signal reports -N; shells report 128+N.
    return 128 - returncode if returncode < 0 else returncode


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print(f"usage: {os.path.basename(sys.argv[0])} -- <command> [args...]", file=sys.stderr)
        return 2

    bindir = find_bindir()
    if bindir is None:
        missing = (
            "PostgreSQL binaries (initdb, pg_ctl, postgres) not found in $PG_BINDIR, PATH "
            "or /usr/lib/postgresql/*/bin"
        )
        if is_ci():
            log(f"{missing}; CI=true, so this is an error")
            return 1
        log(f"{missing}; skipping: {shlex.join(command)}")
        return 0

    # Until the command runs, a signal unwinds straight into the cleanup below.
    def interrupt(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, interrupt)

    cluster = None
    try:
        # No signal between creating the folder and remembering it in `cluster`.
        signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED_SIGNALS)
        try:
            cluster = Cluster(bindir)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED_SIGNALS)
        cluster.start()
        log(f"started {cluster.version()} on 127.0.0.1:{cluster.port} (data in {cluster.root})")
        env = dict(os.environ)
        env["DATABASE_URL"] = f"postgres://{DB_USER}@127.0.0.1:{cluster.port}/{DB_NAME}"
        env["PGTEST_PORT"] = str(cluster.port)
        return run_command(command, env)
    except Interrupted as exc:
        log(f"interrupted by {exc}, cleaning up")
        return 128 + exc.signum
    except (RuntimeError, OSError) as exc:
        log(f"could not start PostgreSQL: {exc}")
        return 1
    finally:
        # Cleanup must not be cut short by a second Ctrl-C.
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
