"""The admin an editor opens: Russian, and every page type's form works."""

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return client


def test_admin_speaks_russian(editor_client, site_tree):
    response = editor_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert '<html lang="ru"' in response.content.decode()


def test_admin_speaks_russian_to_an_english_browser_unless_asked(editor_client, site_tree):
    from wagtail.users.models import UserProfile

    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    home = editor_client.get(reverse("wagtailadmin_home"), **english_browser).content.decode()
    assert '<html lang="ru"' in home and "Панель управления" in home, home[:400]
    user = editor_client.get(reverse("wagtailadmin_home")).wsgi_request.user
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    home = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert '<html lang="en"' in home


@pytest.mark.parametrize(
    "section, model_name",
    [
        ("news_index", "newspage"),
        ("enterprise_index", "enterprisepage"),
        ("video_index", "videoseriespage"),
    ],
)
def test_add_page_forms_open(editor_client, site_tree, section, model_name):
    parent = getattr(site_tree, section)
    url = reverse("wagtailadmin_pages:add", args=("pages", model_name, parent.pk))
    response = editor_client.get(url)
    assert response.status_code == 200


def test_edit_forms_open_for_every_page_type(editor_client, site_tree):
    pages = [
        site_tree.home,
        site_tree.news_index,
        site_tree.awards_page,
        factories.NewsPageFactory(parent=site_tree.news_index),
        factories.EnterprisePageFactory(parent=site_tree.enterprise_index),
        factories.VideoSeriesPageFactory(parent=site_tree.video_index),
    ]
    for page in pages:
        response = editor_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200, page


@pytest.mark.parametrize("model", ["industry", "district", "eventformat", "season", "award"])
def test_snippet_listings_and_forms_open(editor_client, db, model):
    listing = editor_client.get(reverse(f"wagtailsnippets_catalogue_{model}:list"))
    assert listing.status_code == 200
    add = editor_client.get(reverse(f"wagtailsnippets_catalogue_{model}:add"))
    assert add.status_code == 200


def test_programme_settings_form_opens(editor_client, site_tree):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    response = editor_client.get(
        reverse("wagtailsettings:edit", args=("pages", "programmesettings", site.pk))
    )
    assert response.status_code == 200
    assert "экскурсий с 2019 года" in response.content.decode().lower()


def test_admin_sends_no_editor_e_mail_hashes_to_gravatar(editor_client, site_tree):
    home = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Панель управления" in home
    assert "gravatar" not in home
