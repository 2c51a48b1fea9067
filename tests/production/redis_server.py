"""A throwaway redis-server for tests: Debian's binary on a free loopback port.

No persistence (``--save "" --appendonly no``) and a temporary folder of its own, so a
restart starts empty, as a production Redis without persistence does. ``stop()`` and
``start()`` restart it on the same port (an outage and a recovery); ``pause()`` and
``resume()`` freeze it with SIGSTOP, so connections open but nothing answers (a hung
server). Import the fixture into the test module that needs it::

    from tests.production.redis_server import redis_server  # noqa: F401

Without ``redis-server`` the tests are skipped, or fail when ``CI=true``.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from tests.servers import free_port, skip_or_fail  # noqa: F401 (used by tests too)

START_TIMEOUT_SECONDS = 10


def redis_server_executable() -> str | None:
    """Debian's ``redis-server``, from PATH or its usual place."""
    path = shutil.which("redis-server") or "/usr/bin/redis-server"
    return path if os.access(path, os.X_OK) else None


class RedisServer:
    """One redis-server process on 127.0.0.1; ``start()`` again reuses the port."""

    def __init__(self, executable: str):
        self.executable = executable
        self.root = tempfile.mkdtemp(prefix="redistest-")
        self.logfile = os.path.join(self.root, "redis.log")
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The URL of database 0, as CACHE_URL takes it."""
        return self.url_for(0)

    def url_for(self, db: int) -> str:
        """The URL of one of the server's numbered databases."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """Start the server and wait until it answers PING; on a new port the first time."""
        if self.process is not None:
            raise RuntimeError("redis-server is running already")
        if self.port:
            self._spawn()
            return
        for attempt in range(1, 4):
            self.port = free_port()
            try:
                self._spawn()
                return
            except RuntimeError:
                # Another process may have taken the port since free_port().
                if attempt == 3 or "Address already in use" not in self.log_tail():
                    raise

    def _spawn(self) -> None:
        command = [
            self.executable,
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            *("--dir", self.root, "--logfile", self.logfile, "--daemonize", "no"),
        ]
        self.process = subprocess.Popen(
            command, cwd=self.root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not start:\n{self.log_tail()}")
            time.sleep(0.02)

    def ping(self) -> bool:
        """Whether the server answers PING right now (a raw RESP exchange, no client)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Shut the server down (its data is lost: no persistence); the port stays ours."""
        if self.process is None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the server (also a paused one) and wait for it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self) -> None:
        """Freeze the server: the kernel still accepts connections, nothing answers."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server go on."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def log_tail(self, lines: int = 20) -> str:
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def cleanup(self) -> None:
        """Kill the server and remove its folder."""
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    """A redis-server of this test run on 127.0.0.1; yields the ``RedisServer``."""
    executable = redis_server_executable()
    if executable is None:
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(executable)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()
