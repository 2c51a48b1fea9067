"""The game in the admin: editors hand out prizes and read quiz statistics; others can't."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from pages.accounts import EDITORS, MODERATORS
from quests import services
from quests.models import PointsEntry, PrizeClaim
from tests import factories
from tests.admin_login import admin_login


@pytest.fixture
def staff(django_user_model):
    """``staff("Редакторы")``: a client logged in as a member of that group."""

    def make(group_name: str):
        from django.test import Client

        user = django_user_model.objects.create_user(
            f"user-{group_name}", email="u@example.org", password="pw-1234567"
        )
        user.groups.add(Group.objects.get(name=group_name))
        client = Client()
        assert admin_login(client, user.username, "pw-1234567")
        return client, user

    return make


@pytest.fixture
def claim(db):
    player = factories.ParticipantFactory()
    PointsEntry.objects.create(
        participant=player, amount=50, reason="task", source="t", description="."
    )
    prize = factories.PrizeFactory(title="Термос", price=50)
    return services.claim_prize(player.token, prize.pk)


def test_an_editor_hands_a_prize_out(staff, claim):
    client, user = staff(EDITORS)
    listing = client.get(reverse("prize_claims:index"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Термос" in page and claim.participant.email in page and "Выдан" in page
    response = client.post(
        reverse("prize_claims:action", args=[claim.pk]),
        {"action": "hand_out", "next": reverse("prize_claims:index")},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == PrizeClaim.Status.HANDED_OUT and claim.handed_out_by == user


def test_an_editor_cancels_a_claim_and_the_points_come_back(staff, claim):
    client, _ = staff(EDITORS)
    client.post(reverse("prize_claims:action", args=[claim.pk]), {"action": "cancel"})
    claim.refresh_from_db()
    assert claim.status == PrizeClaim.Status.CANCELLED
    assert claim.participant.balance() == 50


def test_a_moderator_sees_claims_but_cannot_hand_out(staff, claim):
    client, _ = staff(MODERATORS)
    assert client.get(reverse("prize_claims:index")).status_code == 200
    response = client.post(reverse("prize_claims:action", args=[claim.pk]), {"action": "hand_out"})
    assert response.status_code in (302, 403)
    claim.refresh_from_db()
    assert claim.status == PrizeClaim.Status.CLAIMED


def test_an_unknown_action_changes_nothing(staff, claim):
    client, _ = staff(EDITORS)
    response = client.post(reverse("prize_claims:action", args=[claim.pk]), {"action": "delete"})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == PrizeClaim.Status.CLAIMED


def test_statistics_show_attempts_pass_rate_and_the_hardest_question(staff, quiz, answers):
    for wrong in (0, 1, 3):
        player = factories.ParticipantFactory()
        services.submit_answers(player.token, quiz.slug, answers(quiz, wrong=wrong))
    stats = services.quiz_statistics(quiz)
    assert (stats.attempts, stats.scored_attempts, stats.passed_scored) == (3, 3, 2)
    assert stats.hardest.text == "Сколько будет 2 + 2?" and stats.hardest.correct == 1
    client, _ = staff(EDITORS)
    page = client.get(reverse("quiz_statistics:index")).content.decode()
    assert quiz.title in page and "2 из 3" in page and "Сколько будет 2 + 2?" in page


def test_the_game_menu_is_there_for_editors(staff):
    client, _ = staff(EDITORS)
    for name in ("quests_quiz", "quests_task", "quests_prize", "quests_sessiongate"):
        response = client.get(reverse(f"wagtailsnippets_{name}:list"))
        assert response.status_code == 200, name


def test_the_gate_form_offers_upcoming_sessions_in_a_fixed_number_of_queries(
    staff, site_tree, django_assert_max_num_queries
):
    import datetime

    from django.utils import timezone

    client, _ = staff(EDITORS)
    enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    past = timezone.now() - datetime.timedelta(days=3)
    factories.TourSessionFactory(
        enterprise=enterprise,
        title="Прошедший",
        starts_at=past,
        ends_at=past + datetime.timedelta(hours=1),
    )
    for n in range(30):
        factories.TourSessionFactory(enterprise=enterprise, title=f"Будущий {n}")
    factories.TaskFactory()
    url = reverse("wagtailsnippets_quests_sessiongate:add")
    with django_assert_max_num_queries(40):
        page = client.get(url).content.decode()
    assert "Будущий 29" in page and "Прошедший" not in page


@pytest.fixture
def host_and_claims(site_tree, django_user_model):
    """A host of one enterprise; claims by its visitor and by someone else."""
    from django.test import Client

    from pages.accounts import ensure_enterprise_group

    ours = factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="АО «Наш»")
    theirs = factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="АО «Чужой»")
    user = django_user_model.objects.create_user("host", password="pw-1234567")
    user.groups.add(ensure_enterprise_group(ours))
    client = Client()
    assert admin_login(client, "host", "pw-1234567")

    def claim(email, enterprise, handout):
        player = factories.ParticipantFactory(email=email)
        session = factories.TourSessionFactory(enterprise=enterprise)
        factories.RegistrationFactory(session=session, email=email)
        PointsEntry.objects.create(
            participant=player, amount=10, reason="task", source="t", description="."
        )
        prize = factories.PrizeFactory(price=10, handout=handout)
        return services.claim_prize(player.token, prize.pk)

    return client, {
        "visitor": claim("visitor@example.org", ours, "at_excursion"),
        "by post": claim("post@example.org", ours, "post"),
        "elsewhere": claim("other@example.org", theirs, "at_excursion"),
    }


def test_a_host_hands_out_prizes_to_their_own_visitors_only(host_and_claims):
    client, claims = host_and_claims
    page = client.get(reverse("prize_claims:index")).content.decode()
    assert "visitor@example.org" in page
    assert "post@example.org" not in page and "other@example.org" not in page
    assert "Отменить" not in page

    action = reverse("prize_claims:action", args=[claims["visitor"].pk])
    # Refused: the admin turns PermissionDenied into its «no permission» redirect.
    assert client.post(action, {"action": "cancel"}).status_code in (302, 403)
    claims["visitor"].refresh_from_db()
    assert claims["visitor"].status == PrizeClaim.Status.CLAIMED
    client.post(action, {"action": "hand_out"})
    claims["visitor"].refresh_from_db()
    assert claims["visitor"].status == PrizeClaim.Status.HANDED_OUT

    for name in ("by post", "elsewhere"):
        url = reverse("prize_claims:action", args=[claims[name].pk])
        assert client.post(url, {"action": "hand_out"}).status_code == 404
        claims[name].refresh_from_db()
        assert claims[name].status == PrizeClaim.Status.CLAIMED
