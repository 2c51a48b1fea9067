"""The real task worker (``manage.py run_worker``) against a real SMTP server that fails.

Everything runs in its own processes on a database file of its own, as in production:
registrations are made by one process, letters sent by the worker. Whatever the mail
server does (refuse, hang) and however the worker dies, every registration gets exactly
one letter once the server works again, and none is sent inside the registering process.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.smtp_sink import SmtpSink

# The stack has a database of its own: running it again beside PostgreSQL proves nothing new.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs in the SQLite run; its processes use a database file of their own",
)

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from wagtail.models import Page, Site
from tests import factories
root = Page.get_first_root_node()
home = factories.HomePageFactory(parent=root, slug="open-mosprom")
Site.objects.filter(is_default_site=True).update(root_page=home)
index = factories.EnterpriseIndexPageFactory(parent=home)
enterprise = factories.EnterprisePageFactory(parent=index, title="Завод «Москабель»")
session = factories.TourSessionFactory(enterprise=enterprise, capacity=50, max_party_size=3)
print(session.pk)
"""

REGISTER = """
from booking import services
for email in {emails!r}:
    services.register(services.RegistrationRequest(
        session_id={session_id}, name="Анна Смирнова", email=email, phone="+79001234567",
        seats=1, consent_to_processing=True, consent_to_transfer=True,
        youngest_participant_age=None, ip_address=None,
    ))
"""


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"not within {timeout} s: {what}")


class Stack:
    """A database file, the environment of production's processes, a worker to start."""

    def __init__(self, folder: Path, sink: SmtpSink):
        self.db_path = folder / "db.sqlite3"
        self.sink = sink
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "VAR_DIR": str(folder),
            "DEBUG": "false",
            "SECRET_KEY": "worker-fault-tests-" + "k" * 48,
            "ALLOWED_HOSTS": "127.0.0.1",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_TIMEOUT": "2",
            # Minutes and hours in production; seconds here.
            "DELIVERY_RETRY_DELAYS": ",".join(["1"] * 30),
            "DELIVERY_CIRCUIT_SECONDS": "1",
            "DELIVERY_CLAIM_TIMEOUT_SECONDS": "4",
            "DELIVERY_RESCUE_AFTER_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("CACHE_URL", None)
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code)

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env,
        )
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
        self.workers.clear()

    def deliveries(self) -> list[tuple]:
        with sqlite3.connect(self.db_path, timeout=20) as db:
            return db.execute(
                "SELECT description, status, attempts FROM jobs_delivery ORDER BY id"
            ).fetchall()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    sink = SmtpSink()
    stack = Stack(tmp_path_factory.mktemp("worker-stack"), sink)
    stack.manage("migrate", "--noinput", "-v", "0")
    stack.session_id = int(stack.python(SETUP).strip().splitlines()[-1])
    yield stack
    stack.stop_workers()
    sink.down()


def register(stack: Stack, *emails: str) -> None:
    stack.python(REGISTER.format(emails=list(emails), session_id=stack.session_id))


def test_a_mail_outage_loses_no_letter_and_sends_none_twice(stack):
    stack.sink.down()
    emails = ["anna@example.org", "boris@example.org", "vera@example.org"]
    register(stack, *emails)  # no worker yet: nothing can have been sent by this process
    assert [status for _, status, _ in stack.deliveries()] == ["pending"] * 3

    stack.start_worker()
    wait_for(
        lambda: all(attempts >= 2 for *_, attempts in stack.deliveries()),
        30,
        "the worker retries while the server is down",
    )
    assert stack.sink.messages == []

    stack.sink.up()
    wait_for(lambda: len(stack.sink.messages) >= 3, 30, "every letter once the server is up")
    time.sleep(2)  # time enough for a duplicate to show
    assert sorted(stack.sink.recipients()) == emails
    assert [status for _, status, _ in stack.deliveries()] == ["sent"] * 3
    stack.stop_workers()


def test_a_worker_killed_mid_send_to_a_hanging_server_sends_the_letter_once(stack):
    stack.sink.hang()
    sent_before = len(stack.sink.messages)
    stack.start_worker()
    register(stack, "grigory@example.org")
    wait_for(
        lambda: stack.deliveries()[-1][1] == "sending",
        30,
        "the worker stuck talking to the hanging server",
    )

    worker = stack.workers[-1]
    worker.kill()  # SIGKILL: no clean-up, the claim stays
    worker.wait()
    stack.sink.up()
    stack.start_worker()

    wait_for(lambda: len(stack.sink.messages) > sent_before, 40, "the letter after the worker died")
    time.sleep(2)
    assert stack.sink.recipients()[sent_before:] == ["grigory@example.org"]
    assert stack.deliveries()[-1][1] == "sent"
    stack.stop_workers()
