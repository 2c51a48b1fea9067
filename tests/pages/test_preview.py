"""Headless preview: the admin's preview opens the front end with an expiring token."""

from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from pages.accounts import EDITORS, create_enterprise_account
from pages.models import PagePreview, VideoEpisode
from pages.preview import SALT, create_preview_token
from tests import factories
from tests.admin_login import admin_login

PREVIEW = """
query($token: String!) {
  preview(token: $token) {
    __typename id title url
    ... on News { lead body { __typename ... on ParagraphBlock { html } } }
    ... on VideoSeries { episodes { number title } }
  }
}
"""


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def news(site_tree):
    return factories.NewsPageFactory(
        parent=site_tree.news_index, title="Завод открыл двери", lead="Было."
    )


def news_form(page, **changes):
    fields = {
        "title": page.title,
        "slug": page.slug,
        "date": page.date.isoformat(),
        "lead": page.lead,
        "body": streamfield([]),
        "comments": inline_formset([]),
        **changes,
    }
    return nested_form_data(fields)


def preview_token(client, page, data) -> str:
    """Do what the admin's preview does: post the form, then open the preview."""
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    posted = client.post(url, data)
    assert posted.status_code == 200 and posted.json()["is_valid"], posted.content
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}" == "http://front.example/preview/"
    )
    return parse_qs(location.query)["token"][0]


def shown(graphql, token):
    response = graphql.post(PREVIEW, {"token": token})
    assert "errors" not in response.json(), response.json()
    return response.json()["data"]["preview"]


@pytest.fixture(autouse=True)
def front_end(settings):
    settings.PREVIEW_URL = "http://front.example/preview/"
    settings.PREVIEW_TOKEN_MINUTES = 20


def test_preview_shows_the_unsaved_draft_through_the_live_types(client, editor, news, graphql):
    client.force_login(editor)
    data = news_form(
        news,
        title="Завод открыл двери — черновик",
        lead="Стало.",
        body=streamfield([("paragraph", rich_text("<p>Новый абзац</p>"))]),
    )
    token = preview_token(client, news, data)

    draft = shown(graphql, token)
    assert draft["__typename"] == "News"
    assert draft["id"] == str(news.pk)
    assert draft["title"] == "Завод открыл двери — черновик"
    assert draft["lead"] == "Стало."
    assert draft["url"] == news.path_on_site()
    assert "Новый абзац" in draft["body"][0]["html"]
    # Nothing was saved: the live page and the public query are as they were.
    news.refresh_from_db()
    assert news.title == "Завод открыл двери"
    live = graphql.post("query($s: String!) { news(slug: $s) { title } }", {"s": news.slug})
    assert live.json()["data"]["news"]["title"] == "Завод открыл двери"


def test_preview_shows_the_drafts_tags_not_the_saved_ones(client, editor, news, graphql):
    news.tags.add("сохранённый")
    news.save()
    client.force_login(editor)
    token = preview_token(client, news, news_form(news, tags="экскурсии, новое"))
    response = graphql.post(
        "query($token: String!) { preview(token: $token) { ... on News { tags } } }",
        {"token": token},
    )
    assert response.json()["data"]["preview"]["tags"] == ["новое", "экскурсии"]
    news_data = graphql.post("query($s: String!) { news(slug: $s) { tags } }", {"s": news.slug})
    assert news_data.json()["data"]["news"]["tags"] == ["сохранённый"]


def test_preview_of_a_page_not_created_yet(client, editor, site_tree, graphql):
    client.force_login(editor)
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=("pages", "newspage", site_tree.news_index.pk)
    )
    data = news_form(
        factories.NewsPageFactory.build(slug="novaya", lead="Анонс"), title="Новая новость"
    )
    assert client.post(url, data).json()["is_valid"]
    token = parse_qs(urlsplit(client.get(url)["Location"]).query)["token"][0]
    draft = shown(graphql, token)
    assert draft["title"] == "Новая новость" and draft["id"] == "0"
    assert draft["url"].endswith("/novaya/")


def test_token_works_for_minutes_then_stops(client, editor, news, graphql):
    client.force_login(editor)
    token = preview_token(client, news, news_form(news, title="Черновик"))
    later = signing.time.time() + timedelta(minutes=19).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert shown(graphql, token)["title"] == "Черновик"
    expired = signing.time.time() + timedelta(minutes=21).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=expired):
        assert shown(graphql, token) is None


def test_forged_and_foreign_tokens_show_nothing(client, editor, news, graphql, settings):
    client.force_login(editor)
    token = preview_token(client, news, news_form(news, title="Черновик"))
    preview_id = PagePreview.objects.get().pk

    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_key = signing.dumps({"preview": preview_id}, salt=SALT, key="another-deployment")
    other_salt = signing.dumps({"preview": preview_id}, salt="booking.registration")
    for bad in (tampered, other_key, other_salt, "", "x" * 5000, "not-a-token"):
        assert shown(graphql, bad) is None, bad
    assert shown(graphql, token)["title"] == "Черновик"  # the control: the real one works


def test_deleting_the_page_ends_its_previews(client, editor, news, graphql):
    client.force_login(editor)
    token = preview_token(client, news, news_form(news, title="Черновик"))
    news.delete()
    assert shown(graphql, token) is None


def test_only_people_who_may_edit_the_page_get_a_token(client, site_tree, news):
    enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
    staff, password = create_enterprise_account(enterprise, "staff@moslift.example")
    assert admin_login(client, staff.username, password)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(news.pk,))
    assert client.post(url, news_form(news, title="Чужая")).status_code in (302, 403)
    assert client.get(url).status_code in (302, 403)
    assert not PagePreview.objects.exists()


def test_episodes_added_in_the_editor_show_in_the_preview(editor, site_tree, graphql):
    series = factories.VideoSeriesPageFactory(parent=site_tree.video_index)
    series.episodes.add(
        VideoEpisode(number=1, title="Как делают лифты", video_url="https://video.example/1")
    )
    token = create_preview_token(series, editor)  # unsaved children travel with the draft
    assert shown(graphql, token)["episodes"] == [{"number": 1, "title": "Как делают лифты"}]
    assert not series.episodes.model.objects.exists()


def test_old_previews_are_cleared_and_one_row_is_kept_per_editor_and_page(editor, news):
    for _ in range(3):
        create_preview_token(news, editor)
    assert PagePreview.objects.count() == 1
    PagePreview.objects.update(updated_at=PagePreview.objects.get().updated_at - timedelta(hours=1))
    other = factories.NewsPageFactory(parent=news.get_parent())
    create_preview_token(other, editor)
    assert list(PagePreview.objects.values_list("page_id", flat=True)) == [other.pk]


def test_development_preview_page_renders_the_draft(client, editor, news, settings):
    settings.DEV_PREVIEW_ENABLED = True
    client.force_login(editor)
    token = preview_token(client, news, news_form(news, title="Черновик для показа"))
    client.logout()  # the page is a plain API client: the token is all it needs
    response = client.get("/dev-preview/", {"token": token})
    assert response.status_code == 200
    assert "Черновик для показа" in response.content.decode()
    assert client.get("/dev-preview/", {"token": token + "x"}).status_code == 404


def test_development_preview_page_is_off_unless_enabled(client, settings, db):
    settings.DEV_PREVIEW_ENABLED = False
    assert client.get("/dev-preview/", {"token": "x"}).status_code == 404
