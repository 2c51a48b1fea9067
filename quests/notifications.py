"""The game's one e-mail, the magic link: an outbox row written with the token, sent by
the task worker after the commit (``jobs.deliveries``), its text rebuilt from the salt."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from jobs import deliveries
from quests import tokens
from quests.models import ParticipantToken

logger = logging.getLogger(__name__)

HANDLER = "quests.link"
SUBJECT = "Вход в игру «Открой#Моспром»"


def send_link(link: ParticipantToken) -> None:
    """Ask for the letter in the current transaction: a rollback sends nothing."""
    deliveries.schedule(
        HANDLER,
        key=f"quests:link:{link.pk}",
        payload={"token": link.pk},
        description=f"Письмо «Вход в игру» участнику №{link.participant_id}",
    )


def send_link_now(token_id: int) -> bool:
    """Send the letter if its token still works; False (skipped) when it is gone or expired."""
    link = ParticipantToken.objects.select_related("participant").filter(pk=token_id).first()
    if link is None or not link.is_valid() or link.participant.anonymised_at is not None:
        logger.info("Game link e-mail skipped: token %s is gone or expired", token_id)
        return False
    token = tokens.token_for_salt(link.token_salt)
    url = f"{settings.FRONTEND_URL}/igra/vhod/?{urlencode({'token': token})}"
    until = timezone.localtime(link.expires_at).strftime("%d.%m.%Y")
    body = (
        "Здравствуйте!\n\n"
        "Чтобы играть в викторины «Открой#Моспром», копить баллы и получать призы, "
        f"откройте ссылку:\n{url}\n\n"
        f"Ссылка действует до {until}. Код для приложения: {token}\n\n"
        "Если вы не просили ссылку, просто удалите это письмо: без него в вашу игру "
        "никто не войдёт.\n"
    )
    EmailMessage(SUBJECT, body, to=[link.participant.email]).send()
    logger.info("Game link e-mail sent for token %s", token_id)
    return True
