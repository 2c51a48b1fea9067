"""An enterprise's staff edit only their own page (through moderation) and sessions."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from booking.permissions import sessions_visible_to
from pages.accounts import create_enterprise_account, ensure_enterprise_group
from tests import factories
from tests.admin_login import admin_login


@pytest.fixture
def two_enterprises(site_tree):
    return (
        factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="Мослифт"),
        factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="Экопласт"),
    )


def test_account_edits_only_its_own_page_and_cannot_publish(two_enterprises):
    own, other = two_enterprises
    user, password = create_enterprise_account(own, " Staff@Moslift.example ", "Ирина Орлова")

    assert password and user.check_password(password)
    assert user.username == "staff@moslift.example"
    mine = own.permissions_for_user(user)
    assert mine.can_edit() and not mine.can_publish() and not mine.can_delete()
    assert not other.permissions_for_user(user).can_edit()
    assert not own.get_parent().permissions_for_user(user).can_add_subpage()
    # Their edits wait in «Модерация предприятий» for an editor or a moderator.
    workflow = own.get_workflow()
    assert workflow is not None and workflow.active


def test_submitting_for_moderation_leaves_the_live_page_alone(client, two_enterprises):
    own, _ = two_enterprises
    user, password = create_enterprise_account(own, "staff@moslift.example")
    assert admin_login(client, user.username, password)
    edit_url = reverse("wagtailadmin_pages:edit", args=(own.pk,))
    data = nested_form_data(
        {
            "title": "Мослифт — правка",
            "slug": own.slug,
            "short_description": own.short_description,
            "kind": "enterprise",
            "body": streamfield([]),
            "gallery_images": inline_formset([]),
            "comments": inline_formset([]),
            "action-submit": "Submit",
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors
    own.refresh_from_db()
    assert own.title == "Мослифт"  # the live page is unchanged until a moderator approves
    assert own.current_workflow_state is not None  # …and waits for one


def test_account_runs_only_its_own_sessions(two_enterprises):
    own, other = two_enterprises
    mine = factories.TourSessionFactory(enterprise=own)
    factories.TourSessionFactory(enterprise=other)
    user, _ = create_enterprise_account(own, "staff@moslift.example")
    assert list(sessions_visible_to(user)) == [mine]


def test_admin_over_http(client, two_enterprises):
    own, other = two_enterprises
    user, password = create_enterprise_account(own, "staff@moslift.example")
    assert admin_login(client, user.username, password)

    assert client.get(reverse("wagtailadmin_pages:edit", args=(own.pk,))).status_code == 200
    refused = client.get(reverse("wagtailadmin_pages:edit", args=(other.pk,)))
    assert refused.status_code in (302, 403)
    for name in ("delete", "unpublish", "copy", "move"):
        response = client.get(reverse(f"wagtailadmin_pages:{name}", args=(other.pk,)))
        assert response.status_code in (302, 403), name


def test_group_is_kept_in_step(two_enterprises):
    own, _ = two_enterprises
    group = ensure_enterprise_group(own)
    own.title = "АО «Мослифт»"
    own.save()
    again = ensure_enterprise_group(own)
    assert again.pk == group.pk
    assert again.name.endswith("АО «Мослифт»")
    assert again.page_permissions.count() == 1
    assert again.collection_permissions.count() == 3


def test_existing_user_keeps_the_password(two_enterprises, django_user_model):
    own, _ = two_enterprises
    django_user_model.objects.create_user("staff@moslift.example", password="old-secret")
    user, password = create_enterprise_account(own, "staff@moslift.example")
    assert password is None
    assert user.check_password("old-secret")


def test_command(two_enterprises):
    out = StringIO()
    call_command(
        "create_enterprise_account", two_enterprises[0].slug, "a@moslift.example", stdout=out
    )
    assert "Пароль:" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("create_enterprise_account", "net-takogo", "a@moslift.example")
    with pytest.raises(CommandError):
        call_command("create_enterprise_account", two_enterprises[0].slug, "not-an-email")
