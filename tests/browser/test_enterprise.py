"""An enterprise's account edits its own page through moderation and runs its own sessions.

The account is made as operators make it (``create_enterprise_account``). It finds its
page from the dashboard, edits it and submits it to the workflow: the live page, as
GraphQL clients read it, stays as it was. It works with its sessions and registrants in
the booking admin and exports them. Typing the address of another enterprise's page, session,
registrations or their export is refused, and nothing of the other enterprise shows.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from pages.accounts import create_enterprise_account
from pages.models import EnterprisePage
from tests import factories
from tests.browser.wagtail_admin import log_in, submit_for_moderation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ENTERPRISE = """
query($slug: String!) {
  enterprise(slug: $slug) {
    title shortDescription
    visitorRequirements { minAge notes }
  }
}
"""
# What must never show on a page the account reaches: the other enterprise's data.
OTHER_ENTERPRISE_TEXTS = ["Экопласт", "Литьевой цех", "Анна Чужая"]


@pytest.fixture
def enterprises(site_tree):
    own = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index,
        title="Мослифт",
        slug="moslift",
        short_description="Делает лифты.",
        visitor_notes="Закрытая обувь.",
    )
    other = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Экопласт", slug="ekoplast"
    )
    return own, other


def assert_nothing_of_the_other_enterprise(page) -> None:
    body = page.locator("body")
    for text in OTHER_ENTERPRISE_TEXTS:
        expect(body).not_to_contain_text(text)


def test_enterprise_edits_its_page_through_moderation_and_sees_only_its_own(
    open_window, step, graphql_live, enterprises
):
    own, other = enterprises
    own_session = factories.TourSessionFactory(enterprise=own, title="Сборочный цех")
    other_session = factories.TourSessionFactory(enterprise=other, title="Литьевой цех")
    factories.RegistrationFactory(session=own_session, name="Пётр Свой")
    factories.RegistrationFactory(session=other_session, name="Анна Чужая")
    user, password = create_enterprise_account(own, "staff@moslift.example", "Ирина Орлова")
    browser = open_window("enterprise")

    log_in(browser, user, password)
    main = browser.get_by_role("main")
    expect(main.get_by_role("link", name="Мослифт", exact=True)).to_be_visible()
    assert_nothing_of_the_other_enterprise(browser)
    step("dashboard")

    main.get_by_role("link", name="Мослифт", exact=True).click()
    expect(browser.get_by_role("heading", name=re.compile("Мослифт"), level=1)).to_be_visible()
    browser.get_by_role("textbox", name="Кратко").fill("Делает и модернизирует лифты.")
    browser.get_by_role("tab", name="Посетителям").click()
    browser.get_by_role("spinbutton", name="Минимальный возраст").fill("14")
    browser.get_by_role("textbox", name="Что важно знать посетителю").fill(
        "Закрытая обувь, паспорт для взрослых."
    )
    step("page edited")
    submit_for_moderation(browser)
    expect(browser.get_by_role("status")).to_contain_text("отправлена на модерацию")
    step("submitted for moderation")

    own.refresh_from_db()
    assert own.current_workflow_state is not None
    assert own.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    submitted = own.get_latest_revision_as_object()
    assert submitted.short_description == "Делает и модернизирует лифты."
    assert (submitted.min_age, submitted.visitor_notes) == (
        14,
        "Закрытая обувь, паспорт для взрослых.",
    )
    # The live page is what it was until the programme's staff approve the change.
    assert own.short_description == "Делает лифты." and own.min_age is None
    live = graphql_live(ENTERPRISE, {"slug": "moslift"})["enterprise"]
    assert live == {
        "title": "Мослифт",
        "shortDescription": "Делает лифты.",
        "visitorRequirements": {"minAge": None, "notes": "Закрытая обувь."},
    }

    # Its own sessions and registrants, through the «Экскурсии» menu.
    browser.get_by_role("navigation", name="Главное меню").get_by_role(
        "button", name="Экскурсии"
    ).click()
    browser.get_by_role("link", name="Сеансы", exact=True).click()
    expect(browser.get_by_role("heading", name="Сеансы", level=1)).to_be_visible()
    expect(main.get_by_role("link", name="Сборочный цех")).to_be_visible()
    assert_nothing_of_the_other_enterprise(browser)
    step("own sessions")
    main.get_by_role("button", name=re.compile("Дополнительные опции для 'Сборочный цех")).click()
    browser.get_by_role("link", name="Заявки", exact=True).click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Заявки: Сборочный цех")
    expect(main.get_by_role("link", name="Пётр Свой")).to_be_visible()
    assert_nothing_of_the_other_enterprise(browser)
    step("own registrations")
    main.get_by_role("button", name="Действия").click()
    with browser.expect_download() as download:
        main.get_by_role("link", name=re.compile("CSV")).click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Пётр Свой" in exported and "Анна Чужая" not in exported

    # Another enterprise's page: Wagtail sends the account home with a refusal.
    other_edit = reverse("wagtailadmin_pages:edit", args=[other.pk])
    response = browser.goto(other_edit)
    refused_request = response.request.redirected_from
    assert refused_request is not None and refused_request.url.endswith(other_edit)
    assert refused_request.response().status == 302
    expect(browser).to_have_url(re.compile(r"/admin/$"))
    expect(browser.get_by_role("status")).to_contain_text("у вас нет доступа")
    assert_nothing_of_the_other_enterprise(browser)
    step("other enterprise's page refused")

    # Another enterprise's session, registrants and their export do not exist for it.
    refused = {
        "session": reverse("booking_sessions:edit", args=[other_session.pk]),
        "registrations": reverse("booking_registrations:session", args=[other_session.pk]),
        "export": reverse("booking_registrations:session", args=[other_session.pk]) + "?export=csv",
    }
    for name, url in refused.items():
        response = browser.goto(url)
        assert response.status == 404, (name, response.status)
        expect(browser.get_by_role("heading", level=1)).to_have_text("Ошибка 404")
        assert_nothing_of_the_other_enterprise(browser)
        step(f"other enterprise's {name} refused")

    other.refresh_from_db()
    assert other.title == "Экопласт" and other.current_workflow_state is None
    assert EnterprisePage.objects.get(pk=own.pk).short_description == "Делает лифты."
