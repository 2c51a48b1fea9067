"""The outbox (one row per message to send once) and the workers' heartbeats."""

from django.db import models
from django.utils import timezone


class Delivery(models.Model):
    """One message (an e-mail, a webhook call) to be sent once, whatever runs it twice.

    The row is written in the same transaction as the change that makes the message due,
    so a rolled-back change sends nothing and a committed one cannot lose its message;
    ``key`` is unique, so asking twice for the same message makes one row. A worker
    claims the row before sending and marks it sent after: a task that runs twice finds
    it claimed or sent and does nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "ждёт отправки"
        SENDING = "sending", "отправляется"
        SENT = "sent", "отправлено"
        SKIPPED = "skipped", "не понадобилось"
        FAILED = "failed", "не отправлено"

    handler = models.CharField("вид", max_length=100)
    key = models.CharField("ключ", max_length=255, unique=True)
    payload = models.JSONField(default=dict)
    # What the message is, for the admin; never personal data.
    description = models.CharField("что отправляем", max_length=300)
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    last_error = models.TextField("последняя ошибка", blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now)
    next_attempt_at = models.DateTimeField("следующая попытка", default=timezone.now)
    claimed_at = models.DateTimeField("взято в работу", null=True, blank=True)
    finished_at = models.DateTimeField("завершено", null=True, blank=True)

    class Meta:
        verbose_name = "отправка"
        verbose_name_plural = "отправки"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return self.description


class WorkerHeartbeat(models.Model):
    """A task worker that is alive says so every few seconds (``/readyz`` reads it)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "пульс обработчика задач"
        verbose_name_plural = "пульс обработчиков задач"

    def __str__(self):
        return self.worker_id
