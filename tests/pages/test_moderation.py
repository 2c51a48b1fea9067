"""Programme groups, the enterprise workflow, the round trip of a moderated change."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from pages.accounts import (
    EDITORS,
    ENTERPRISE_WORKFLOW,
    MODERATORS,
    create_enterprise_account,
    ensure_programme_groups,
)
from tests import factories
from tests.admin_login import admin_login


@pytest.fixture
def enterprise(site_tree):
    return factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="Мослифт")


def staff_member(django_user_model, group_name, username):
    user = django_user_model.objects.create_user(
        username, email=f"{username}@mosprom.example", password="pw"
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


def submit_change(client, page, title):
    """Post the enterprise's edit form with «Отправить на модерацию»."""
    data = nested_form_data(
        {
            "title": title,
            "slug": page.slug,
            "short_description": page.short_description,
            "kind": page.kind,
            "body": streamfield([]),
            "gallery_images": inline_formset([]),
            "comments": inline_formset([]),
            "action-submit": "Submit",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), data)
    assert response.status_code == 302, response.context["form"].errors


def moderate(client, page, action, comment=""):
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, action, state.current_task_state.pk),
    )
    response = client.post(url, {"comment": comment})
    assert response.status_code in (200, 302), response.content[:500]


def test_programme_groups_exist_after_migrate_and_replace_wagtails(db, site_tree):
    names = set(Group.objects.values_list("name", flat=True))
    assert {EDITORS, MODERATORS} <= names
    assert not {"Editors", "Moderators"} & names  # taken over, not duplicated
    editors, moderators = ensure_programme_groups()  # idempotent
    assert Group.objects.filter(name=EDITORS).count() == 1
    assert editors.permissions.filter(codename="manage_enterprise_accounts").exists()
    assert not moderators.permissions.filter(codename="manage_enterprise_accounts").exists()


def test_editors_and_moderators_publish_anywhere(django_user_model, site_tree, enterprise):
    editor = staff_member(django_user_model, EDITORS, "editor")
    moderator = staff_member(django_user_model, MODERATORS, "moderator")
    news_index = site_tree.news_index
    assert news_index.permissions_for_user(editor).can_add_subpage()
    assert enterprise.permissions_for_user(editor).can_publish()
    assert enterprise.permissions_for_user(moderator).can_publish()
    assert editor.has_perm("booking.manage_all_sessions")
    assert not moderator.has_perm("booking.manage_all_sessions")


def test_enterprise_sections_are_moderated(site_tree, enterprise):
    assert enterprise.get_workflow().name == ENTERPRISE_WORKFLOW
    other_section = factories.EnterpriseIndexPageFactory(parent=site_tree.home, slug="muzei")
    assert other_section.get_workflow().name == ENTERPRISE_WORKFLOW
    # News are not: editors publish them directly.
    assert site_tree.news_index.get_workflow() is None or (
        site_tree.news_index.get_workflow().name != ENTERPRISE_WORKFLOW
    )


def test_reject_with_comment_then_approve(client, django_user_model, enterprise, graphql):
    editor = staff_member(django_user_model, EDITORS, "editor")
    staff, password = create_enterprise_account(enterprise, "staff@moslift.example")

    assert admin_login(client, staff.username, password)
    submit_change(client, enterprise, "Мослифт — новое описание")
    enterprise.refresh_from_db()
    assert enterprise.title == "Мослифт"
    mail.outbox.clear()

    client.force_login(editor)
    moderate(client, enterprise, "reject", comment="Уточните минимальный возраст гостей.")
    to_staff = [m for m in mail.outbox if staff.email in m.to]
    assert len(to_staff) == 1
    assert "Уточните минимальный возраст гостей." in to_staff[0].body
    enterprise.refresh_from_db()
    assert enterprise.title == "Мослифт"
    assert enterprise.current_workflow_state.status == "needs_changes"

    query = "query($slug: String!) { enterprise(slug: $slug) { title } }"
    variables = {"slug": enterprise.slug}
    assert graphql.post(query, variables).json()["data"]["enterprise"]["title"] == "Мослифт"

    client.force_login(staff)
    submit_change(client, enterprise, "Мослифт — исправлено")
    client.force_login(editor)
    moderate(client, enterprise, "approve", comment="Спасибо!")
    enterprise.refresh_from_db()
    assert enterprise.title == "Мослифт — исправлено" and enterprise.live
    data = graphql.post(query, variables).json()["data"]
    assert data["enterprise"]["title"] == "Мослифт — исправлено"


def test_enterprise_cannot_approve_its_own_change(client, enterprise):
    staff, password = create_enterprise_account(enterprise, "staff@moslift.example")
    assert admin_login(client, staff.username, password)
    submit_change(client, enterprise, "Мослифт — без проверки")
    state = WorkflowState.objects.get(status="in_progress")
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(enterprise.pk, "approve", state.current_task_state.pk),
    )
    response = client.post(url, {"comment": ""})
    assert response.status_code in (302, 403)
    enterprise.refresh_from_db()
    assert enterprise.title == "Мослифт"
    state.refresh_from_db()
    assert state.status == "in_progress"


class TestAccountCreationInTheAdmin:
    def url(self, page):
        return reverse("pages_enterprise_account", args=(page.pk,))

    def test_editor_creates_an_account_and_sees_its_password_once(
        self, client, django_user_model, enterprise
    ):
        client.force_login(staff_member(django_user_model, EDITORS, "editor"))
        edit = client.get(reverse("wagtailadmin_pages:edit", args=(enterprise.pk,)))
        assert self.url(enterprise) in edit.content.decode()  # the button on the page

        response = client.post(
            self.url(enterprise), {"email": "Guide@Moslift.example", "full_name": "Анна Ким"}
        )
        assert response.status_code == 200
        user = django_user_model.objects.get(username="guide@moslift.example")
        assert user.first_name == "Анна"
        password = response.context["password"]
        assert password and user.check_password(password)
        assert password in response.content.decode()
        assert enterprise.permissions_for_user(user).can_edit()

    def test_bad_email_changes_nothing(self, client, django_user_model, enterprise):
        client.force_login(staff_member(django_user_model, EDITORS, "editor"))
        before = django_user_model.objects.count()
        response = client.post(self.url(enterprise), {"email": "не почта"})
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        assert django_user_model.objects.count() == before

    def test_refused_to_enterprises_and_moderators(self, client, django_user_model, enterprise):
        staff, _ = create_enterprise_account(enterprise, "staff@moslift.example")
        for user in (staff, staff_member(django_user_model, MODERATORS, "moderator")):
            client.force_login(user)
            before = django_user_model.objects.count()
            response = client.post(self.url(enterprise), {"email": "x@moslift.example"})
            assert response.status_code in (302, 403)
            assert django_user_model.objects.count() == before

    def test_only_for_enterprise_pages(self, client, django_user_model, site_tree):
        client.force_login(staff_member(django_user_model, EDITORS, "editor"))
        assert client.get(self.url(site_tree.news_index)).status_code == 404


def test_enterprise_dashboard_shows_its_page_and_moderation_state(client, site_tree, enterprise):
    other = factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="Экопласт")
    staff, password = create_enterprise_account(enterprise, "staff@moslift.example")
    assert admin_login(client, staff.username, password)

    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Моё предприятие" in page and "Мослифт" in page and "опубликовано" in page
    assert other.title not in page
    assert f"?enterprise={enterprise.pk}" in page

    submit_change(client, enterprise, "Мослифт — правка")
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "правка ждёт проверки редакцией" in page


def test_editors_dashboard_has_no_enterprise_panel(client, django_user_model, enterprise):
    client.force_login(staff_member(django_user_model, EDITORS, "editor"))
    assert "Моё предприятие" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_wagtails_default_workflow_is_named_in_russian(db):
    from wagtail.models import Task, Workflow

    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(name="Проверка модераторами").exists()
    assert Task.objects.filter(name="Проверка модераторами").exists()
