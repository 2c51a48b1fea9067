"""Production's topology on loopback: PostgreSQL, Redis, an SMTP sink, gunicorn, task workers.

``python -m scripts.local_stack`` (``make prod-local``) starts, on 127.0.0.1 only, a
throwaway PostgreSQL cluster and Redis, an SMTP sink that prints every letter it gets,
gunicorn with 4 workers (``gunicorn.conf.py``) and one task worker (``run_worker``), all
with ``DEBUG=false``, loads the demo content and serves it until Ctrl-C; then everything
is stopped and its data removed. The fault tests and the season-opening benchmark use
``LocalStack`` to do the same and to break parts of it on purpose: the mail server goes
down or hangs, PostgreSQL restarts, a worker is killed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scripts.smtp_sink import SmtpSink
from scripts.with_postgres import DB_NAME, DB_USER, Cluster, find_bindir, free_port

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class Redis:
    """A redis-server without persistence on a fixed loopback port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _answers(self.port, b"PING\r\n", b"+PONG"), 10, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _answers(port: int, request: bytes, expected: bytes) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(request)
            return sock.recv(64).startswith(expected)
    except OSError:
        return False


def wait_until(condition, timeout: float, what: str) -> None:
    """Poll ``condition`` until it is true, or fail saying what did not come up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


class LocalStack:
    """Start with ``start()``; ``stop()`` ends every process and removes the data."""

    def __init__(
        self,
        *,
        http_port: int | None = None,
        web_workers: int = 4,
        task_workers: int = 1,
        demo_content: bool = True,
        extra_env: dict[str, str] | None = None,
        on_message=None,
        log_dir: Path | None = None,
    ):
        self.folder = Path(tempfile.mkdtemp(prefix="mosprom-stack-"))
        self.http_port = http_port or free_port()
        self.web_workers = web_workers
        self.task_worker_count = task_workers
        self.demo_content = demo_content
        self.extra_env = extra_env or {}
        self.log_dir = log_dir or self.folder
        self.postgres: Cluster | None = None
        self.redis = Redis(self.folder)
        self.smtp = SmtpSink(on_message=on_message)
        self.gunicorn: subprocess.Popen | None = None
        self.task_workers: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def database_url(self) -> str:
        return f"postgres://{DB_USER}@127.0.0.1:{self.postgres.port}/{DB_NAME}"

    def env(self) -> dict[str, str]:
        """The environment every process of the stack runs with: production's settings."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GUNICORN_", "AWS_")) and key != "CACHE_URL"
        }
        env.update(
            DJANGO_SETTINGS_MODULE="cms.settings",
            DEBUG="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{self.http_port},http://localhost:{self.http_port}",
            WAGTAILADMIN_BASE_URL=self.url,
            # Plain HTTP on loopback: no redirect to HTTPS, cookies without Secure.
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            SECURE_COOKIES="false",
            DATABASE_URL=self.database_url,
            DB_CONN_MAX_AGE="60",
            CACHE_URL=self.redis.url,
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp.port),
            VAR_DIR=str(self.folder / "var"),
            STATIC_ROOT=str(self.folder / "static"),
            SERVE_MEDIA="true",
            BIND=f"127.0.0.1:{self.http_port}",
            WEB_CONCURRENCY=str(self.web_workers),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a management command with the stack's environment."""
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return done

    def start(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL's initdb, pg_ctl and postgres are needed")
        self.secret_key = secrets.token_urlsafe(48)
        self.postgres = Cluster(bindir)
        self.postgres.start()
        self.redis.start()
        self.smtp.up()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        if self.demo_content:
            self.manage("load_demo_content")
        self.start_gunicorn()
        for _ in range(self.task_worker_count):
            self.start_task_worker()

    def _log(self, name: str):
        return open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)

    def start_gunicorn(self) -> None:
        self.gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env(),
            stdout=self._log("gunicorn"),
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: http_ok(self.url + "/healthz"), 60, "gunicorn")

    def gunicorn_worker_pids(self) -> list[int]:
        """The pids of gunicorn's workers (children of its master)."""
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def start_task_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env(),
            stdout=self._log("worker"),
            stderr=subprocess.STDOUT,
        )
        self.task_workers.append(worker)
        return worker

    def kill_task_worker(self) -> None:
        """SIGKILL the oldest running task worker: no clean-up, its claim stays."""
        for worker in self.task_workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
                return

    def stop_postgres(self) -> None:
        """Stop PostgreSQL fast: open sessions are cut, as in a crash or a failover."""
        self.postgres.tool("pg_ctl", "stop", "-w", "-m", "fast", "-D", self.postgres.datadir)

    def start_postgres(self) -> None:
        """Start the stopped PostgreSQL again on the same port, with its data."""
        self.postgres.tool(
            "pg_ctl",
            *("start", "-w", "-t", "60", "-D", self.postgres.datadir),
            *("-l", self.postgres.logfile, "-o", f"-p {self.postgres.port}"),
        )

    def restart_postgres(self, down_seconds: float = 0.0) -> None:
        """Stop PostgreSQL, wait ``down_seconds``, start it again."""
        self.stop_postgres()
        time.sleep(down_seconds)
        self.start_postgres()

    def stop(self) -> None:
        """Stop everything (never raises) and remove the stack's data."""
        processes = [*self.task_workers, self.gunicorn]
        for process in processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            if process is None:
                continue
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.smtp.down()
        self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def print_letter(envelope) -> None:
    """Show a letter the SMTP sink got: recipients and subject (the demo's "mailbox")."""
    import email
    from email.header import decode_header, make_header

    message = email.message_from_bytes(envelope.content)
    subject = str(make_header(decode_header(message.get("Subject", ""))))
    print(f"  ✉ {', '.join(envelope.rcpt_tos)}: {subject}", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="gunicorn's port (8000)")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--task-workers", type=int, default=1)
    options = parser.parse_args(argv)

    stack = LocalStack(
        http_port=options.port,
        web_workers=options.web_workers,
        task_workers=options.task_workers,
        on_message=print_letter,
    )
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        print("Starting PostgreSQL, Redis, the SMTP sink, gunicorn and the task worker…")
        stack.start()
        admin = stack.manage("ensure_demo_admin").stdout.strip()
        print(
            f"\n  Production rehearsal (DEBUG=false), data in {stack.folder}\n"
            f"  API:      {stack.url}/graphql/ (POST or GET; no GraphiQL in production)\n"
            f"  Admin:    {stack.url}/admin/\n  {admin}\n"
            f"  Health:   {stack.url}/healthz, {stack.url}/readyz\n"
            f"  Logs:     {stack.log_dir}/gunicorn.log, {stack.log_dir}/worker.log\n"
            f"  PostgreSQL {stack.database_url}, Redis {stack.redis.url}, "
            f"SMTP 127.0.0.1:{stack.smtp.port} (letters are printed here)\n"
            "  Ctrl-C stops everything and removes the data.\n",
            flush=True,
        )
        while not stopping:
            time.sleep(0.5)
            if stack.gunicorn.poll() is not None:
                print("gunicorn stopped; see its log", file=sys.stderr)
                return 1
        return 0
    except RuntimeError as error:
        print(f"prod-local: {error}", file=sys.stderr)
        return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
