"""The moderation round trip of an enterprise's change, in two browsers side by side.

The enterprise submits a change; an editor finds it on the dashboard, asks for changes
with a comment; the enterprise is told by e-mail, reworks the change and resubmits; the
editor approves, and GraphQL clients then read the approved version.
"""

import re

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from pages.accounts import create_enterprise_account
from tests import factories
from tests.browser.wagtail_admin import log_in, page_action, resubmit, submit_for_moderation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ENTERPRISE = """
query($slug: String!) {
  enterprise(slug: $slug) { shortDescription visitorRequirements { minAge notes } }
}
"""
COMMENT = "Уточните минимальный возраст гостей."


def workflow_status(page) -> str:
    """The status of the page's latest trip through moderation."""
    return WorkflowState.objects.filter(object_id=str(page.pk)).latest("created_at").status


def test_editor_requests_changes_then_approves_an_enterprises_change(
    open_window, step, graphql_live, site_tree, editor, mailoutbox
):
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index,
        title="Мослифт",
        slug="moslift",
        short_description="Делает лифты.",
    )
    staff, password = create_enterprise_account(enterprise, "staff@moslift.example")
    staff_window = open_window("enterprise")
    editor_window = open_window("editor")
    edit_url = f"/admin/pages/{enterprise.pk}/edit/"

    # The enterprise submits a change.
    log_in(staff_window, staff, password)
    staff_window.goto(edit_url)
    staff_window.get_by_role("textbox", name="Кратко").fill("Делает и модернизирует лифты.")
    submit_for_moderation(staff_window)
    expect(staff_window.get_by_role("status")).to_contain_text("отправлена на модерацию")
    step("enterprise submitted")

    # The editor finds it among the changes awaiting review and asks for changes.
    log_in(editor_window, *editor)
    awaiting = editor_window.get_by_role("region", name="В ожидании вашего отзыва")
    expect(awaiting.get_by_role("row", name=re.compile("Мослифт"))).to_contain_text(staff.username)
    step("awaiting the editor's review")
    awaiting.get_by_role("link", name="Мослифт").click()
    expect(editor_window.get_by_role("textbox", name="Кратко")).to_have_value(
        "Делает и модернизирует лифты."
    )
    mailoutbox.clear()
    page_action(editor_window, "Запрос изменений")
    dialog = editor_window.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Оставить комментарий").fill(COMMENT)
    step("change request with a comment")
    dialog.get_by_role("button", name="Запрос изменений").click()
    expect(editor_window.get_by_role("status")).to_contain_text("Страница 'Мослифт' обновлена")
    step("changes requested")

    enterprise.refresh_from_db()
    assert enterprise.short_description == "Делает лифты."
    assert workflow_status(enterprise) == WorkflowState.STATUS_NEEDS_CHANGES
    to_staff = [message for message in mailoutbox if message.to == [staff.email]]
    assert len(to_staff) == 1, [(m.to, m.subject) for m in mailoutbox]
    assert "Мослифт" in to_staff[0].subject
    assert COMMENT in to_staff[0].body
    assert edit_url in to_staff[0].body
    live = graphql_live(ENTERPRISE, {"slug": "moslift"})["enterprise"]
    assert live["shortDescription"] == "Делает лифты."

    # The enterprise reworks the change as asked and resubmits it.
    staff_window.goto(edit_url)
    expect(staff_window.get_by_role("textbox", name="Кратко")).to_have_value(
        "Делает и модернизирует лифты."
    )
    staff_window.get_by_role("tab", name="Посетителям").click()
    staff_window.get_by_role("spinbutton", name="Минимальный возраст").fill("14")
    step("enterprise reworked")
    resubmit(staff_window)
    expect(staff_window.get_by_role("status")).to_contain_text("отправлена на модерацию")
    step("enterprise resubmitted")
    assert workflow_status(enterprise) == WorkflowState.STATUS_IN_PROGRESS
    assert graphql_live(ENTERPRISE, {"slug": "moslift"})["enterprise"] == live

    # The editor approves and publishes; clients read the approved version.
    editor_window.goto("/admin/")
    awaiting.get_by_role("link", name="Мослифт").click()
    editor_window.get_by_role("tab", name="Посетителям").click()
    expect(editor_window.get_by_role("spinbutton", name="Минимальный возраст")).to_have_value("14")
    page_action(editor_window, "Одобрить и Опубликовать")
    expect(editor_window.get_by_role("status")).to_contain_text("Страница 'Мослифт' обновлена")
    step("approved and published")

    assert workflow_status(enterprise) == WorkflowState.STATUS_APPROVED
    assert graphql_live(ENTERPRISE, {"slug": "moslift"})["enterprise"] == {
        "shortDescription": "Делает и модернизирует лифты.",
        "visitorRequirements": {"minAge": 14, "notes": ""},
    }
