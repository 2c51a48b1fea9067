"""The game's e-mails: the magic link (its text rebuilt from the token's salt) and the
letter that says where a claimed prize is handed out. Each is an outbox row written with
the change, sent by the task worker after the commit (``jobs.deliveries``)."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from jobs import deliveries
from quests import tokens
from quests.models import ParticipantToken, PrizeClaim

logger = logging.getLogger(__name__)

HANDLER = "quests.link"
SUBJECT = "Вход в игру «Открой#Моспром»"
CLAIM_HANDLER = "quests.claim"
CLAIM_SUBJECT = "Приз «{prize}» ждёт вас"


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


def send_claim(claim: PrizeClaim) -> None:
    """Ask for the prize letter in the claim's transaction."""
    deliveries.schedule(
        CLAIM_HANDLER,
        key=f"quests:claim:{claim.pk}",
        payload={"claim": claim.pk},
        description=f"Письмо «Приз ждёт вас» по заявке на приз №{claim.pk}",
    )


def send_claim_now(claim_id: int) -> bool:
    """Tell the participant how their prize is handed out, while the claim still waits."""
    claim = PrizeClaim.objects.select_related("prize", "participant").filter(pk=claim_id).first()
    if (
        claim is None
        or claim.status != PrizeClaim.Status.CLAIMED
        or claim.participant.anonymised_at is not None
    ):
        logger.info("Prize e-mail skipped: claim %s is gone, handed out or cancelled", claim_id)
        return False
    prize = claim.prize
    how = {
        prize.Handout.AT_EXCURSION: "Его вручат на экскурсии: назовите сотруднику предприятия "
        "e-mail, с которым вы играете.",
        prize.Handout.PICKUP_POINT: "Его можно забрать в пункте выдачи.",
        prize.Handout.POST: "Мы отправим его почтой: ответьте на это письмо, указав адрес "
        "и получателя.",
    }[prize.handout]
    details = f"\n{prize.handout_details}\n" if prize.handout_details else ""
    body = (
        f"Здравствуйте!\n\nВы обменяли {claim.price} баллов на приз «{prize.title}». "
        f"{how}\n{details}\nСпасибо, что играете с «Открой#Моспром»!\n"
    )
    EmailMessage(CLAIM_SUBJECT.format(prize=prize.title), body, to=[claim.participant.email]).send()
    logger.info("Prize e-mail sent for claim %s", claim_id)
    return True
