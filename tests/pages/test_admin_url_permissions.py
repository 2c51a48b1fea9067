"""An enterprise account at every admin URL it could guess (issue #4, item 6).

The account is a real one (``pages.accounts.create_enterprise_account``), logged in over
HTTP, in a tree with a second enterprise (live, in moderation, with sessions, registrants,
images, an in-progress upload and an editing session), that enterprise's unpublished
sibling and an alias of it, a news page, a video series, snippets of every kind, images in
the root collection and a document.

For every admin URL of Wagtail and of the booking admin that names something outside the
account's enterprise, GET and POST, the answer must be a refusal (a redirect to the
dashboard, the login page or the account's own explorer, or a 4xx), must show none of
someone else's data, and the database must be exactly as it was. The URL names come from
Django's URL conf (``test_every_admin_url_is_covered`` fails for a new admin URL until it
gets a case here or a reason to be left out). Positive controls (the same URLs on the
account's own page, sessions and images) prove the login is real, and an editor's run of
the same POSTs proves they would change something if they were let through.

Wagtail shows some titles before it checks permissions, and opens its site-wide reports
and the admin API's images to anyone with a page permission; ``pages/admin_guard.py``
refuses enterprise accounts those, and the cases here prove it (they were written first,
against Wagtail alone, and found each of them).
"""

import datetime
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image as PILImage
from taggit.models import Tag, TaggedItem
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.models import EditingSession
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Comment,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageLogEntry,
    PageSubscription,
    PageViewRestriction,
    Revision,
    Site,
    Task,
    TaskState,
    UploadedFile,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.models.audit_log import ModelLogEntry
from wagtail.snippets.models import get_snippet_models
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from booking.admin_views import MOSCOW
from jobs.models import Delivery
from pages.accounts import create_enterprise_account
from pages.models import ProgrammeSettings
from quests import services as quest_services
from quests.models import PointsEntry, SessionGate
from tests import factories
from tests.admin_login import admin_login

HACKED = "Взломано"
# The change the other enterprise has sent to moderation: not public until approved.
OTHER_PENDING_TITLE = "Полимерпласт (новое название)"


# --- the world ---------------------------------------------------------------------------


@dataclass
class World:
    home: Page
    news_index: Page
    enterprise_index: Page
    video_index: Page
    awards_page: Page
    own: Page
    other: Page
    draft: Page
    alias: Page
    news: Page
    video: Page
    snippets: dict
    own_collection: Collection
    other_collection: Collection
    own_image: object
    other_image: object
    root_image: object
    document: object
    image_upload: UploadedFile
    document_upload: UploadedFile
    own_session: object
    own_registration: object
    other_session: object
    other_registration: object
    other_today: object
    other_today_registration: object
    other_empty: object
    user: object
    password: str
    other_user: object
    other_group: Group
    site: Site
    redirect: Redirect
    workflow: Workflow
    task: Task
    other_workflow_state: WorkflowState
    other_task_state: TaskState
    own_workflow_state: WorkflowState
    own_task_state: TaskState
    other_editing_session: EditingSession
    delivery: Delivery
    # Prize claims by a visitor of each enterprise, of a prize handed out at excursions.
    own_claim: object = None
    other_claim: object = None

    def secrets(self) -> list[str]:
        """What the account must never read: the other enterprise's and the staff's data."""
        return [
            self.other.title,
            OTHER_PENDING_TITLE,
            self.draft.title,
            self.other.specific.contact_name,
            self.other.specific.contact_email,
            self.other_session.title,
            self.other_today.title,
            self.other_empty.title,
            self.other_registration.name,
            self.other_registration.email,
            self.other_registration.phone,
            self.other_today_registration.name,
            self.other_image.title,
            self.root_image.title,
            self.document.title,
            self.other_user.email,
            self.other_user.get_full_name(),
            self.news.title,
            self.video.title,
            self.snippets["award"].title,
            self.other_claim.participant.email,
        ]


def build_world() -> World:
    # The programme's tree, as the ``site_tree`` fixture builds it (that fixture is
    # per test; this world is built once per module, see ``world``).
    home = factories.HomePageFactory(parent=Page.get_first_root_node(), slug="open-mosprom")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    news_index = factories.NewsIndexPageFactory(parent=home)
    enterprise_index = factories.EnterpriseIndexPageFactory(parent=home)
    video_index = factories.VideoIndexPageFactory(parent=home)
    awards_page = factories.AwardsPageFactory(parent=home)

    own = factories.EnterprisePageFactory(parent=enterprise_index, title="Мослифт")
    other = factories.EnterprisePageFactory(
        parent=enterprise_index,
        title="Экопласт Полимер",
        contact_name="Тамара Закрытая",
        contact_email="tamara@ecoplast.example",
    )
    draft = factories.EnterprisePageFactory(
        parent=enterprise_index, title="Новичок Тайный", live=False
    )
    news = factories.NewsPageFactory(parent=news_index, title="Запуск линии Гамма")
    video = factories.VideoSeriesPageFactory(parent=video_index, title="Сериал Прокатный")
    for page in (home, news_index, enterprise_index, video_index, own, other, news, video):
        page.save_revision().publish()
    draft.save_revision()
    alias = other.create_alias(parent=enterprise_index, update_slug="ekoplast-alias")

    user, password = create_enterprise_account(own, "staff@moslift.example", "Ирина Орлова")
    other_user, _ = create_enterprise_account(other, "staff@ecoplast.example", "Олег Чужой")
    create_enterprise_account(draft, "staff@novichok.example")
    other_group = other_user.groups.get()
    own_collection, other_collection = (
        Collection.objects.get(name__startswith=f"Предприятие #{page.pk}:") for page in (own, other)
    )
    editor = get_user_model().objects.create_superuser("editor", "editor@mosprom.example", "pw")

    award = factories.AwardFactory(title="Премия Закрытая")
    award.save_revision(user=editor)
    snippets = {
        "award": award,
        "industry": factories.IndustryFactory(),
        "district": factories.DistrictFactory(),
        "eventformat": factories.EventFormatFactory(),
        "season": factories.SeasonFactory(),
    }

    # The other enterprise has sent a change to moderation, and is editing right now.
    other.title = OTHER_PENDING_TITLE
    other.save_revision(user=other_user)
    other.refresh_from_db()
    workflow = other.get_workflow()
    other_workflow_state = workflow.start(other, other_user)
    own.save_revision(user=user)
    own_workflow_state = workflow.start(own, user)
    for page in (own, other):
        page.refresh_from_db()
    other_editing_session = EditingSession.objects.create(
        user=other_user,
        content_type=ContentType.objects.get_for_model(Page),
        object_id=str(other.pk),
        last_seen_at=timezone.now(),
        is_editing=True,
    )

    # The figures editors have stated (reading settings would otherwise create the row).
    ProgrammeSettings.objects.create(site=site, excursions_since_2019=4200)
    document = get_document_model().objects.create(
        title="Регламент Закрытый", file=ContentFile(b"internal", name="reglament.txt")
    )
    image_ct = ContentType.objects.get_for_model(get_image_model())
    document_ct = ContentType.objects.get_for_model(get_document_model())

    def upload(content_type, name):
        return UploadedFile.objects.create(
            for_content_type=content_type,
            file=ContentFile(b"half-uploaded", name=name),
            uploaded_by_user=other_user,
        )

    own_session = factories.TourSessionFactory(enterprise=own, title="Цех Мослифта")
    other_session = factories.TourSessionFactory(enterprise=other, title="Цех Экопласта")
    other_empty = factories.TourSessionFactory(enterprise=other, title="Пустой у Экопласта")
    other_today = factories.TourSessionFactory(
        enterprise=other,
        title="Сегодня у Экопласта",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    other_image = factories.ImageFactory(collection=other_collection, title="Фото цеха Экопласта")
    # The game's snippets; the gated session is their own (a gate names its session).
    quiz = factories.QuizFactory(title="Викторина о лифтах")
    snippets["quiz"] = quiz
    snippets["task"] = factories.TaskFactory(title="Знаток лифтов", quiz=quiz)
    snippets["prize"] = factories.PrizeFactory(title="Термос", handout="at_excursion", price=1)
    snippets["sessiongate"] = SessionGate.objects.create(session=own_session, task=snippets["task"])
    # The audit trail the admin keeps, as its views would have written it.
    log(other_session, "wagtail.edit", user=other_user)
    log(other_empty, "wagtail.create", user=other_user)
    log(other_image, "wagtail.create", user=other_user)
    log(award, "wagtail.edit", user=editor)
    world = World(
        home=home,
        news_index=news_index,
        enterprise_index=enterprise_index,
        video_index=video_index,
        awards_page=awards_page,
        own=own,
        other=other,
        draft=draft,
        alias=alias,
        news=news,
        video=video,
        snippets=snippets,
        own_collection=own_collection,
        other_collection=other_collection,
        own_image=factories.ImageFactory(collection=own_collection, title="Логотип Мослифта"),
        other_image=other_image,
        root_image=factories.ImageFactory(title="Общий баннер программы"),
        document=document,
        image_upload=upload(image_ct, "half.png"),
        document_upload=upload(document_ct, "half.txt"),
        own_session=own_session,
        own_registration=factories.RegistrationFactory(
            session=own_session, name="Ольга Своя", email="olga@svoya.example"
        ),
        other_session=other_session,
        other_registration=factories.RegistrationFactory(
            session=other_session,
            name="Зинаида Чужая",
            email="zinaida@chuzhaya.example",
            phone="+79990001122",
        ),
        other_today=other_today,
        other_today_registration=factories.RegistrationFactory(
            session=other_today, name="Пётр Сегодняшний", email="petr@chuzhoy.example"
        ),
        other_empty=other_empty,
        user=user,
        password=password,
        other_user=other_user,
        other_group=other_group,
        site=site,
        redirect=Redirect.objects.create(
            old_path="/staroe", redirect_link="https://mosprom.example"
        ),
        workflow=workflow,
        task=Task.objects.get(pk=other_workflow_state.current_task_state.task_id),
        other_workflow_state=other_workflow_state,
        other_task_state=other_workflow_state.current_task_state,
        own_workflow_state=own_workflow_state,
        own_task_state=own_workflow_state.current_task_state,
        other_editing_session=other_editing_session,
        delivery=Delivery.objects.create(
            handler="booking.notice",
            key="booking:0:confirmed:world",
            description="Письмо «Запись подтверждена» по заявке №0",
            status=Delivery.Status.FAILED,
        ),
    )
    for attribute, registration in (
        ("own_claim", world.own_registration),
        ("other_claim", world.other_registration),
    ):
        participant = factories.ParticipantFactory(email=registration.email)
        PointsEntry.objects.create(
            participant=participant, amount=1, reason="task", source="t", description="."
        )
        setattr(
            world, attribute, quest_services.claim_prize(participant.token, snippets["prize"].pk)
        )
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end.

    Every test runs in its own savepoint within it (pytest-django's ``db``), so what one
    test's requests change never reaches the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def host(db, world, client):
    """The enterprise account's browser: a real login with its initial password."""
    assert admin_login(client, world.user.username, world.password)
    client.raise_request_exception = False  # a 500 is an answer to check, not a crash
    return client


@pytest.fixture
def editor(db, world, client):
    client.force_login(get_user_model().objects.get(username="editor"))
    return client


# --- what "nothing changed" means ----------------------------------------------------------

TRACKED_MODELS = [
    *apps.get_app_config("pages").get_models(),
    *apps.get_app_config("booking").get_models(),
    *apps.get_app_config("catalogue").get_models(),
    *apps.get_app_config("quests").get_models(),
    Page,
    Revision,
    PageViewRestriction,
    PageViewRestriction.groups.through,
    Workflow,
    WorkflowPage,
    WorkflowTask,
    Task,
    WorkflowState,
    TaskState,
    Comment,
    PageSubscription,
    PageLogEntry,
    ModelLogEntry,
    get_image_model(),
    get_document_model(),
    Collection,
    CollectionViewRestriction,
    UploadedFile,
    Tag,
    TaggedItem,
    get_user_model(),
    get_user_model().groups.through,
    get_user_model().user_permissions.through,
    Group,
    Group.permissions.through,
    GroupPagePermission,
    GroupCollectionPermission,
    Site,
    Redirect,
    EditingSession,
]


def database_state() -> dict:
    """Every row of every model an admin URL could change."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in TRACKED_MODELS
    }


PRIMARY_KEYS = {model._meta.label: model._meta.pk.attname for model in TRACKED_MODELS}


def changes(before: dict, after: dict) -> dict:
    """{model: {"added"/"removed": ids, id: {field: (old, new)}}} for what differs."""
    found = {}
    for label in before:
        if before[label] == after[label]:
            continue
        key = PRIMARY_KEYS[label]
        old = {row[key]: row for row in before[label]}
        new = {row[key]: row for row in after[label]}
        diff = {
            "added": sorted(new.keys() - old.keys()),
            "removed": sorted(old.keys() - new.keys()),
        }
        for pk in old.keys() & new.keys():
            fields = {f: (old[pk][f], new[pk][f]) for f in old[pk] if old[pk][f] != new[pk][f]}
            if fields:
                diff[pk] = fields
        found[label] = {key: value for key, value in diff.items() if value}
    return found


def assert_unchanged(before: dict, after: dict, what: str) -> None:
    changed = changes(before, after)
    assert not changed, f"{what} changed the database: {changed}"


# --- reading responses -------------------------------------------------------------------


def text_of(response) -> str:
    """The body as a reader sees it: JSON decoded (Cyrillic is escaped in it), files read."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(
            str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row
        )
    text = body.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return html.unescape(text)


@dataclass
class Answer:
    """Where a request ended up: the last response, and every message shown on the way."""

    response: object
    hops: list[str]
    messages: list[str]

    def text(self) -> str:
        body = "" if self.landed else text_of(self.response)
        return "\n".join([body, *self.messages])

    @property
    def landed(self) -> bool:
        return self.response.status_code == 302 and self.hops[-1] in LANDING_NAMES

    def leaked(self, secrets: list[str]) -> list[str]:
        text = self.text()
        return [secret for secret in secrets if secret and secret in text]


# Where a refusal may send the account: the dashboard (Wagtail's PermissionDenied), the
# login page, or its own page in the explorer (the explorer's answer to other pages).
LANDING_NAMES = {"dashboard", "login", "own explorer"}


def settle(client, response, world: World) -> Answer:
    """Follow redirects until a landing page (not rendered: only its messages count)."""
    landing = {
        reverse("wagtailadmin_home"): "dashboard",
        reverse("wagtailadmin_login"): "login",
        reverse("wagtailadmin_explore", args=(world.own.pk,)): "own explorer",
    }
    hops, messages = [response.wsgi_request.get_full_path()], []
    while True:
        # Only what this request added: a landing page is never rendered, so the
        # messages stay in the cookie, which ``send`` empties before each guess.
        storage = getattr(response.wsgi_request, "_messages", None)
        messages += [html.unescape(str(m)) for m in getattr(storage, "_queued_messages", [])]
        if response.status_code not in (301, 302, 303):
            return Answer(response, hops, messages)
        location = response["Location"].split("?")[0]
        if location in landing:
            hops.append(landing[location])
            return Answer(response, hops, messages)
        if len(hops) > 4:
            return Answer(response, hops, messages)
        hops.append(response["Location"])
        response = client.get(response["Location"])


def refusal_problem(answer: Answer) -> str | None:
    """None when the answer refuses; otherwise what is wrong with it."""
    if answer.landed or answer.response.status_code in (400, 403, 404, 405):
        return None
    return f"answered {answer.response.status_code} (via {answer.hops})"


# --- the URL conf ------------------------------------------------------------------------


def admin_url_patterns() -> dict[str, list[set[str]]]:
    """{URL name: [parameter names of each pattern with that name]} under /admin/."""
    found: dict[str, list[set[str]]] = {}

    def params(pattern) -> set[str]:
        converters = getattr(pattern, "converters", None)
        if converters is not None and converters:
            return set(converters)
        return set(pattern.regex.groupindex)

    def walk(patterns, namespace, inherited):
        for entry in patterns:
            names = inherited | params(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, inner, names)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.setdefault(name, []).append(names)

    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == "admin/":
            walk(entry.url_patterns, "", set())
    return found


ADMIN_URLS = admin_url_patterns()


def url_for(name: str, values: dict, query: str = "") -> str:
    """Reverse ``name`` with the values its pattern asks for (the fullest pattern wins)."""
    for wanted in sorted(ADMIN_URLS[name], key=len, reverse=True):
        if wanted <= set(values):
            return reverse(name, kwargs={key: values[key] for key in wanted}) + query
    raise AssertionError(f"no value for the parameters of {name}: {ADMIN_URLS[name]}")


def names_under(prefix: str) -> list[str]:
    return sorted(name for name in ADMIN_URLS if name.startswith(prefix))


# --- the guesses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Guess:
    """One request an enterprise account could make up: a URL name and what fills it."""

    name: str
    values: Callable[[World], dict]
    data: Callable[[World], dict] = lambda w: {}
    query: str | Callable[[World], str] = ""
    json_body: bool = False

    @property
    def methods(self) -> tuple[str, ...]:
        """GET and POST, except where Django itself refuses a GET (405) before any view."""
        if self.name in POST_ONLY:
            return ("POST",)
        return ("GET", "POST")

    def url(self, world: World) -> str:
        query = self.query(world) if callable(self.query) else self.query
        return url_for(self.name, self.values(world), query)

    def send(self, client, method: str, world: World) -> Answer:
        url = self.url(world)
        client.cookies.pop("messages", None)
        if method == "GET":
            response = client.get(url)
        elif self.json_body:
            response = client.post(
                url, json.dumps(self.data(world)), content_type="application/json"
            )
        else:
            response = client.post(url, self.data(world))
        return settle(client, response, world)


POST_ONLY = {
    "wagtailadmin_api:pages:action",
    "wagtailadmin_pages:lock",
    "wagtailadmin_pages:unlock",
    "wagtailadmin_pages:set_page_position",
    "booking_registrations:attendance",
    "prize_claims:action",
}
PAGE_TARGETS = ["other", "draft", "news", "enterprise_index", "home"]
# Two more pages, for the URLs where they differ: an alias (of the other enterprise) and
# a video series.
EXTRA_TARGETS = {
    "alias": {"convert_alias", "edit", "delete", "unpublish", "move_confirm", "copy"},
    "video": {"edit", "delete", "unpublish", "set_privacy", "lock", "revisions_revert"},
}


def page_values(target: str, action_name: str = "approve") -> Callable[[World], dict]:
    def values(w: World) -> dict:
        page = getattr(w, target)
        return {
            "page_id": page.pk,
            "pk": page.pk,
            "page_to_move_id": page.pk,
            "parent_page_id": page.pk,
            "destination_id": page.get_parent().pk,
            "revision_id": page.latest_revision_id or w.other.latest_revision_id,
            "revision_id_a": "earliest",
            "revision_id_b": "latest",
            "action_name": action_name,
            "task_state_id": w.other_task_state.pk,
            "task_id": w.task.pk,
            "workflow_state_id": w.other_workflow_state.pk,
            "app_label": "wagtailcore",
            "model_name": "page",
            "object_id": str(page.pk),
            "session_id": w.other_editing_session.pk,
        }

    return values


def page_post_data(name: str, target: str) -> Callable[[World], dict]:
    def data(w: World) -> dict:
        page = getattr(w, target)
        return {
            "wagtailadmin_pages:edit": {
                "title": HACKED,
                "slug": page.slug,
                "action-publish": "action-publish",
            },
            "wagtailadmin_pages:revisions_revert": {
                "title": HACKED,
                "slug": page.slug,
                "action-publish": "action-publish",
            },
            "wagtailadmin_pages:copy": {
                "new_title": HACKED,
                "new_slug": "vzlomano",
                "new_parent_page": page.get_parent().pk,
                "copy_subpages": "on",
                "publish_copies": "on",
            },
            "wagtailadmin_pages:move": {"new_parent_page": page.get_parent().pk},
            "wagtailadmin_pages:unpublish": {"include_descendants": "on"},
            "wagtailadmin_pages:set_privacy": {
                "restriction_type": "password",
                "password": "x1y2z3",
            },
            "wagtailadmin_pages:workflow_action": {"comment": HACKED},
            "wagtailadmin_pages:collect_workflow_action_data": {"comment": HACKED},
            "wagtailadmin_pages:preview_on_edit": {"title": HACKED, "slug": page.slug},
            "pages_enterprise_account": {"email": "intruder@example.org", "full_name": HACKED},
        }.get(name, {})

    return data


# URL names of the page namespace that do not name one page (they are cased below).
PAGE_NAMES_WITHOUT_A_PAGE = {
    "wagtailadmin_pages:add",
    "wagtailadmin_pages:preview_on_add",
    "wagtailadmin_pages:choose_parent",
    "wagtailadmin_pages:type_use",
    "wagtailadmin_pages:type_use_results",
    "wagtailadmin_pages:search",
    "wagtailadmin_pages:search_results",
}
PAGE_URL_NAMES = [
    *[n for n in names_under("wagtailadmin_pages:") if n not in PAGE_NAMES_WITHOUT_A_PAGE],
    "wagtailadmin_explore",
    "wagtailadmin_explore_results",
    "wagtailadmin_api:pages:detail",
    "wagtailadmin_editing_sessions:ping",
    "pages_enterprise_account",
]

# Wagtail lists the enterprise page's ancestors to its editors, by design: the explorer
# menu needs them. They are public pages; their detail shows nothing of anyone else.
ANCESTORS_BY_DESIGN = {
    ("wagtailadmin_api:pages:detail", "enterprise_index"),
    ("wagtailadmin_api:pages:detail", "home"),
}


def page_guesses() -> dict[str, Guess]:
    guesses = {}
    for target, names in EXTRA_TARGETS.items():
        for short in sorted(names):
            name = f"wagtailadmin_pages:{short}"
            guesses[f"{name}[{target}]"] = Guess(
                name, page_values(target), page_post_data(name, target)
            )
        guesses[f"wagtailadmin_api:pages:action:convert_alias[{target}]"] = Guess(
            "wagtailadmin_api:pages:action",
            lambda w, t=target: {"pk": getattr(w, t).pk, "action_name": "convert_alias"},
            json_body=True,
        )
    for target in PAGE_TARGETS:
        for name in PAGE_URL_NAMES:
            if (name, target) in ANCESTORS_BY_DESIGN:
                continue
            guesses[f"{name}[{target}]"] = Guess(
                name, page_values(target), page_post_data(name, target)
            )
        guesses[f"wagtailadmin_pages:workflow_action:reject[{target}]"] = Guess(
            "wagtailadmin_pages:workflow_action",
            page_values(target, "reject"),
            page_post_data("wagtailadmin_pages:workflow_action", target),
        )
        guesses[f"wagtailadmin_explore:ordering[{target}]"] = Guess(
            "wagtailadmin_explore", page_values(target), query="?ordering=ord"
        )
        if ("wagtailadmin_api:pages:detail", target) not in ANCESTORS_BY_DESIGN:
            guesses[f"wagtailadmin_api:pages:find[{target}]"] = Guess(
                "wagtailadmin_api:pages:find",
                page_values(target),
                query=lambda w, t=target: f"?id={getattr(w, t).pk}",
            )
        for action in PagesAdminAPIViewSet.actions:
            guesses[f"wagtailadmin_api:pages:action:{action}[{target}]"] = Guess(
                "wagtailadmin_api:pages:action",
                lambda w, t=target, a=action: {"pk": getattr(w, t).pk, "action_name": a},
                lambda w, t=target: {
                    "destination_page_id": getattr(w, t).get_parent().pk,
                    "position": "first-child",
                    "recursive": True,
                    "slug": "vzlomano-api",
                    "update_slug": "vzlomano-alias",
                    "title": HACKED,
                    "revision_id": getattr(w, t).latest_revision_id or w.other.latest_revision_id,
                    "locale": "en",
                },
                json_body=True,
            )
    return guesses


PAGE_TYPES = {
    # page model: the parent it belongs under in the tree
    "homepage": lambda w: Page.get_first_root_node(),
    "newsindexpage": lambda w: w.home,
    "enterpriseindexpage": lambda w: w.home,
    "videoindexpage": lambda w: w.home,
    "awardspage": lambda w: w.home,
    "newspage": lambda w: w.news_index,
    "enterprisepage": lambda w: w.enterprise_index,
    "videoseriespage": lambda w: w.video_index,
}


def add_page_guesses() -> dict[str, Guess]:
    guesses = {}
    for model, parent in PAGE_TYPES.items():
        for name in ("wagtailadmin_pages:add", "wagtailadmin_pages:preview_on_add"):
            guesses[f"{name}[{model}]"] = Guess(
                name,
                lambda w, m=model, p=parent: {
                    "content_type_app_name": "pages",
                    "content_type_model_name": m,
                    "parent_page_id": p(w).pk,
                },
                lambda w: {"title": HACKED, "slug": "vzlomano", "action-publish": "1"},
            )
    return guesses


def object_family(prefix: str, values: Callable[[World], dict], data=None, skip=()) -> dict:
    """A guess for every URL under ``prefix`` in the URL conf (minus ``skip``)."""
    return {
        name: Guess(name, values, data or (lambda w: {}))
        for name in names_under(prefix)
        if name not in skip
    }


def snippet_values(model_name: str) -> Callable[[World], dict]:
    def values(w: World) -> dict:
        snippet = w.snippets[model_name]
        latest = getattr(snippet, "latest_revision_id", None)
        return {
            "pk": snippet.pk,
            "revision_id": latest or 1,
            "revision_id_a": "earliest",
            "revision_id_b": "latest",
        }

    return values


def image_values(which: str) -> Callable[[World], dict]:
    return lambda w: {
        "image_id": getattr(w, which).pk,
        "pk": getattr(w, which).pk,
        "filter_spec": "original",
        "uploaded_file_id": w.image_upload.pk,
    }


def document_values(w: World) -> dict:
    return {
        "document_id": w.document.pk,
        "doc_id": w.document.pk,
        "pk": w.document.pk,
        "uploaded_file_id": w.document_upload.pk,
    }


def workflow_values(w: World) -> dict:
    return {
        "pk": w.workflow.pk,
        "page_pk": w.enterprise_index.pk,
        "workflow_pk": w.workflow.pk,
        "task_id": w.task.pk,
        "app_label": "wagtailcore",
        "model_name": "groupapprovaltask",
    }


# Open to every admin account by design, and checked for content instead
# (``test_what_they_may_open_shows_theirs_and_nothing_of_others``) or as forms
# (``test_forms_keep_them_in_their_enterprise``).
OPEN_BY_DESIGN = {
    "wagtailimages:index",
    "wagtailimages:index_results",
    "wagtailimages:add",
    "wagtailimages:add_multiple",
    "wagtailimages_chooser:choose",
    "wagtailimages_chooser:choose_results",
    "wagtailimages_chooser:create",
    "wagtailimages_chooser:chosen_multiple",
    "wagtaildocs_chooser:choose",
    "wagtaildocs_chooser:choose_results",
    "wagtaildocs_chooser:chosen_multiple",
    "wagtailadmin_workflows:task_chooser",
    "wagtailadmin_workflows:task_chooser_results",
    "wagtailadmin_workflows:task_chooser_create",
    "wagtailadmin_workflows:task_chosen",
}


def workflow_task_values(w: World) -> dict:
    values = workflow_values(w)
    values["pk"] = w.task.pk
    return values


def other_object_guesses() -> dict[str, Guess]:
    guesses: dict[str, Guess] = {}
    # Sessions and registrations of the other enterprise.
    session = object_family(
        "booking_sessions:",
        lambda w: {"pk": w.other_session.pk},
        lambda w: {"title": HACKED, "capacity": 1, "reason": HACKED, "enterprise": w.own.pk},
        skip={"booking_sessions:index", "booking_sessions:index_results", "booking_sessions:add"},
    )
    session["booking_sessions:delete"] = Guess(
        "booking_sessions:delete", lambda w: {"pk": w.other_empty.pk}
    )
    guesses.update({f"{k}[other session]": v for k, v in session.items()})
    registrations = object_family(
        "booking_registrations:",
        lambda w: {
            "pk": w.other_today_registration.pk,
            "session_pk": w.other_session.pk,
        },
        lambda w: {"attended": "1"},
        skip={"booking_registrations:index", "booking_registrations:index_results"},
    )
    for export in ("csv", "xlsx"):
        registrations[f"booking_registrations:session?export={export}"] = Guess(
            "booking_registrations:session",
            lambda w: {"session_pk": w.other_session.pk},
            query=f"?export={export}",
        )
    guesses.update({f"{k}[other enterprise]": v for k, v in registrations.items()})
    # The outbox: staff only.
    guesses.update(object_family("deliveries:", lambda w: {"pk": w.delivery.pk}))
    # Prize claims of the other enterprise's visitor; quiz statistics: staff only.
    guesses["prize_claims:action[other visitor]"] = Guess(
        "prize_claims:action", lambda w: {"pk": w.other_claim.pk}, lambda w: {"action": "hand_out"}
    )
    guesses.update(object_family("quiz_statistics:", lambda w: {}))

    # Snippets: every model the project registers, every URL of its viewset.
    guesses.update(object_family("wagtailsnippets:", lambda w: {}))
    for model in get_snippet_models():
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        guesses.update(
            object_family(
                f"wagtailsnippets_{label}:",
                snippet_values(model._meta.model_name),
                lambda w: {"title": HACKED, "name": HACKED, "slug": "vzlom", "place": 1},
            )
        )
        guesses[f"wagtailsnippetchoosers_{label}:create"] = Guess(
            f"wagtailsnippetchoosers_{label}:create",
            lambda w: {},
            lambda w: {"title": HACKED, "name": HACKED, "slug": "vzlom", "place": 1},
        )

    # Images of another enterprise's collection and of the root collection, documents.
    for which in ("other_image", "root_image"):
        for prefix in ("wagtailimages:", "wagtailimages_chooser:"):
            family = object_family(
                prefix,
                image_values(which),
                lambda w: {"title": HACKED, "collection": w.own_collection.pk},
                skip=OPEN_BY_DESIGN,
            )
            guesses.update({f"{k}[{which}]": v for k, v in family.items()})
    guesses.update(
        object_family("wagtaildocs:", document_values, lambda w: {"title": HACKED}, OPEN_BY_DESIGN)
    )
    guesses.update(
        object_family(
            "wagtaildocs_chooser:", document_values, lambda w: {"title": HACKED}, OPEN_BY_DESIGN
        )
    )

    # The programme's administration.
    guesses.update(
        object_family(
            "wagtailusers_users:",
            lambda w: {"pk": w.other_user.pk},
            lambda w: {"username": "intruder", "email": "i@example.org", "is_superuser": "on"},
        )
    )
    guesses.update(
        object_family(
            "wagtailusers_groups:", lambda w: {"pk": w.other_group.pk}, lambda w: {"name": HACKED}
        )
    )
    guesses.update(
        object_family(
            "wagtailsites:",
            lambda w: {"pk": w.site.pk},
            lambda w: {"hostname": "evil.example", "port": 80, "root_page": w.own.pk},
        )
    )
    guesses.update(
        object_family(
            "wagtailredirects:",
            lambda w: {"redirect_id": w.redirect.pk},
            lambda w: {"old_path": "/predpriyatiya/", "redirect_link": "https://evil.example"},
        )
    )
    guesses.update(
        object_family(
            "wagtailsettings:",
            lambda w: {"app_name": "pages", "model_name": "programmesettings", "pk": w.site.pk},
            lambda w: {"excursions_since_2019": 1},
        )
    )
    guesses.update(
        object_family(
            "wagtailadmin_collections:",
            lambda w: {"pk": w.other_collection.pk, "collection_id": w.other_collection.pk},
            lambda w: {"name": HACKED, "parent": w.own_collection.pk, "restriction_type": "login"},
        )
    )
    workflows = object_family(
        "wagtailadmin_workflows:",
        workflow_values,
        lambda w: {"name": HACKED, "create-task-name": HACKED},
        skip=OPEN_BY_DESIGN,
    )
    for name in workflows:
        if name.endswith("_task") and name != "wagtailadmin_workflows:add_task":
            workflows[name] = Guess(name, workflow_task_values, workflows[name].data)
    guesses.update(workflows)
    guesses["wagtailadmin_workflows:remove[workflow]"] = Guess(
        "wagtailadmin_workflows:remove", lambda w: {"page_pk": w.enterprise_index.pk}
    )
    guesses["wagtailadmin_reports:locked_pages"] = Guess(
        "wagtailadmin_reports:locked_pages", lambda w: {}
    )
    guesses["wagtailadmin_reports:locked_pages_results"] = Guess(
        "wagtailadmin_reports:locked_pages_results", lambda w: {}
    )
    return guesses


BULK_DATA = {
    "move": lambda w: {"chooser": w.own.pk},
    "add_to_collection": lambda w: {"collection": w.own_collection.pk},
    "add_tags": lambda w: {"tags": HACKED},
    "set_active_state": lambda w: {"mark_as_active": "False"},
    "assign_role": lambda w: {"role": w.other_group.pk},
}
BULK_TARGETS = {
    "wagtailcore.page": lambda w: [w.other, w.draft, w.news],
    "wagtailimages.image": lambda w: [w.other_image, w.root_image],
    "wagtaildocs.document": lambda w: [w.document],
    "auth.user": lambda w: [w.other_user],
}


def bulk_targets(label: str) -> Callable[[World], list]:
    if label in BULK_TARGETS:
        return BULK_TARGETS[label]
    return lambda w: [w.snippets[label.split(".")[1]]]


def bulk_guesses() -> dict:
    bulk_action_registry._scan_for_bulk_actions()
    guesses = {}
    for app_label, models in sorted(bulk_action_registry.actions.items()):
        for model_name, actions in sorted(models.items()):
            for action in sorted(actions):
                guess = Guess(
                    "wagtail_bulk_action",
                    lambda w, a=app_label, m=model_name, act=action: {
                        "app_label": a,
                        "model_name": m,
                        "action": act,
                    },
                    BULK_DATA.get(action, lambda w: {}),
                )
                key = f"wagtail_bulk_action:{app_label}.{model_name}:{action}"
                guesses[key] = BulkGuess(guess, bulk_targets(f"{app_label}.{model_name}"))
    return guesses


@dataclass(frozen=True)
class BulkGuess:
    """A bulk action with the ids of objects the account may not touch in the query."""

    guess: Guess
    targets: Callable[[World], list]

    @property
    def name(self) -> str:
        return self.guess.name

    @property
    def methods(self) -> tuple[str, ...]:
        return ("GET", "POST")

    def url(self, world: World) -> str:
        ids = "&".join(f"id={obj.pk}" for obj in self.targets(world))
        return self.guess.url(world) + "?" + ids

    def send(self, client, method: str, world: World) -> Answer:
        client.cookies.pop("messages", None)
        if method == "GET":
            response = client.get(self.url(world))
        else:
            response = client.post(self.url(world), self.guess.data(world))
        return settle(client, response, world)


def api_guesses() -> dict[str, Guess]:
    guesses = {}
    for name in names_under("wagtailadmin_api:"):
        if name.startswith("wagtailadmin_api:pages:") or name.endswith(":listing"):
            continue  # pages: per page, above; listings may open, and are visited below
        targets = ("document",) if ":documents:" in name else ("other_image", "root_image")
        for which in targets:
            guesses[f"{name}[{which}]"] = Guess(
                name,
                lambda w, x=which: {"pk": getattr(w, x).pk},
                query=(lambda w, x=which: f"?id={getattr(w, x).pk}") if "find" in name else "",
            )
    return guesses


GUESSES: dict[str, object] = {
    **page_guesses(),
    **add_page_guesses(),
    **other_object_guesses(),
    **bulk_guesses(),
    **api_guesses(),
}


def guess_params():
    return [
        pytest.param(key, method, id=f"{method} {key}")
        for key in GUESSES
        for method in GUESSES[key].methods
    ]


# --- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("key, method", guess_params())
def test_guessed_url_is_refused_and_changes_nothing(host, world, key, method):
    guess = GUESSES[key]
    before = database_state()

    answer = guess.send(host, method, world)

    assert_unchanged(before, database_state(), f"{method} {guess.url(world)}")
    problem = refusal_problem(answer)
    assert problem is None, f"{method} {guess.url(world)} {problem}"
    assert not answer.leaked(world.secrets()), f"{method} {guess.url(world)} shows them"


# --- what they may open: their own things, shown without anyone else's -------------------


@dataclass(frozen=True)
class Visit:
    """A page the account may open: it answers 200, shows ``expect``, and no secrets."""

    name: str
    values: Callable[[World], dict] = lambda w: {}
    query: str | Callable[[World], str] = ""
    expect: Callable[[World], list[str]] = lambda w: []
    # Secrets this page shows by design (e.g. every award, to choose the enterprise's).
    by_design: Callable[[World], list[str]] = lambda w: []

    def url(self, world: World) -> str:
        query = self.query(world) if callable(self.query) else self.query
        return url_for(self.name, self.values(world), query)


def own_page(w):
    return {
        "page_id": w.own.pk,
        "pk": w.own.pk,
        "parent_page_id": w.own.pk,
        "revision_id": w.own.latest_revision_id,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "workflow_state_id": w.own_workflow_state.pk,
    }


def own_image(w):
    return {"image_id": w.own_image.pk, "pk": w.own_image.pk, "filter_spec": "original"}


def own_title(w):
    return [w.own.title]


def live_pages(w):
    """A page chooser offers live, public pages to link to: that is what it is for."""
    return [w.other.title, w.news.title, w.video.title]


def awards(w):
    return [w.snippets["award"].title]


VISITS = {
    "dashboard": Visit("wagtailadmin_home", expect=lambda w: [w.own.title, w.own_session.title]),
    "account": Visit("wagtailadmin_account"),
    "own explorer": Visit("wagtailadmin_explore", own_page, expect=own_title),
    "own explorer results": Visit("wagtailadmin_explore_results", own_page),
    "own page edit": Visit("wagtailadmin_pages:edit", own_page, expect=own_title, by_design=awards),
    "own page history": Visit("wagtailadmin_pages:history", own_page, expect=own_title),
    "own page history results": Visit("wagtailadmin_pages:history_results", own_page),
    "own page usage": Visit("wagtailadmin_pages:usage", own_page, expect=own_title),
    "own workflow history": Visit("wagtailadmin_pages:workflow_history", own_page),
    "own workflow detail": Visit("wagtailadmin_pages:workflow_history_detail", own_page),
    "own revisions compare": Visit("wagtailadmin_pages:revisions_compare", own_page),
    "own page in the API": Visit("wagtailadmin_api:pages:detail", own_page, expect=own_title),
    "explorer menu": Visit(
        "wagtailadmin_api:pages:listing",
        query=lambda w: f"?child_of={w.enterprise_index.pk}&for_explorer=1",
        expect=own_title,
    ),
    "images in the admin API": Visit("wagtailadmin_api:images:listing"),
    "documents in the admin API": Visit("wagtailadmin_api:documents:listing"),
    "explorer menu search": Visit("wagtailadmin_api:pages:listing", query="?search=Экопласт"),
    "page search": Visit("wagtailadmin_pages:search", query="?q=Мослифт", expect=own_title),
    "page search others": Visit("wagtailadmin_pages:search", query="?q=Экопласт"),
    "page search drafts": Visit("wagtailadmin_pages:search_results", query="?q=Новичок"),
    "page search news": Visit("wagtailadmin_pages:search_results", query="?q=Запуск"),
    **{
        f"pages of type {model}": Visit(
            "wagtailadmin_pages:type_use",
            lambda w, m=model: {"content_type_app_name": "pages", "content_type_model_name": m},
        )
        for model in PAGE_TYPES
    },
    **{
        f"pages of type {model} (results)": Visit(
            "wagtailadmin_pages:type_use_results",
            lambda w, m=model: {"content_type_app_name": "pages", "content_type_model_name": m},
        )
        for model in PAGE_TYPES
    },
    **{
        f"parents for a new {model}": Visit(
            "wagtailadmin_pages:choose_parent",
            lambda w, m=model: {"app_label": "pages", "model_name": m},
        )
        for model in PAGE_TYPES
    },
    # Booking: their own sessions, registrants and exports.
    "sessions": Visit("booking_sessions:index", expect=lambda w: [w.own_session.title]),
    "sessions of the other enterprise": Visit(
        "booking_sessions:index", query=lambda w: f"?enterprise={w.other.pk}&when=all"
    ),
    "sessions search": Visit("booking_sessions:index_results", query="?q=Экопласт&when=all"),
    "new session form": Visit("booking_sessions:add", expect=own_title),
    "own session edit": Visit(
        "booking_sessions:edit", lambda w: {"pk": w.own_session.pk}, expect=own_title
    ),
    "own session inspect": Visit("booking_sessions:inspect", lambda w: {"pk": w.own_session.pk}),
    "own session history": Visit("booking_sessions:history", lambda w: {"pk": w.own_session.pk}),
    "own session history results": Visit(
        "booking_sessions:history_results", lambda w: {"pk": w.own_session.pk}
    ),
    "own session usage": Visit("booking_sessions:usage", lambda w: {"pk": w.own_session.pk}),
    "own session cancel form": Visit("booking_sessions:cancel", lambda w: {"pk": w.own_session.pk}),
    "series form": Visit("booking_series:create", expect=own_title),
    "registrations": Visit(
        "booking_registrations:index", expect=lambda w: [w.own_registration.name]
    ),
    "registrations filtered by the other session": Visit(
        "booking_registrations:index", query=lambda w: f"?session={w.other_session.pk}"
    ),
    "registrations search": Visit("booking_registrations:index_results", query="?q=Зинаида"),
    **{
        f"registrations export {fmt}": Visit(
            "booking_registrations:index",
            query=f"?export={fmt}",
            expect=lambda w: [w.own_registration.name],
        )
        for fmt in ("csv", "xlsx")
    },
    **{
        f"registrations export {fmt} of the other session": Visit(
            "booking_registrations:index",
            query=lambda w, f=fmt: f"?export={f}&session={w.other_session.pk}",
        )
        for fmt in ("csv", "xlsx")
    },
    "own session registrants": Visit(
        "booking_registrations:session",
        lambda w: {"session_pk": w.own_session.pk},
        expect=lambda w: [w.own_registration.name],
    ),
    "own session registrants results": Visit(
        "booking_registrations:session_results", lambda w: {"session_pk": w.own_session.pk}
    ),
    **{
        f"own session export {fmt}": Visit(
            "booking_registrations:session",
            lambda w: {"session_pk": w.own_session.pk},
            query=f"?export={fmt}",
            expect=lambda w: [w.own_registration.name, w.own_registration.email],
        )
        for fmt in ("csv", "xlsx")
    },
    "own registration": Visit(
        "booking_registrations:inspect",
        lambda w: {"pk": w.own_registration.pk},
        expect=lambda w: [w.own_registration.name],
    ),
    # Prize claims: those of their own visitors, for prizes handed out at excursions.
    "prize claims": Visit(
        "prize_claims:index", expect=lambda w: [w.own_claim.participant.email, "Выдан"]
    ),
    "prize claims results": Visit(
        "prize_claims:index_results", expect=lambda w: [w.own_claim.participant.email]
    ),
    # Images: their collection only.
    "images": Visit("wagtailimages:index", expect=lambda w: [w.own_image.title]),
    "images search": Visit("wagtailimages:index_results", query="?q=Экопласта"),
    "image upload form": Visit("wagtailimages:add"),
    "multiple upload form": Visit("wagtailimages:add_multiple"),
    "own image edit": Visit("wagtailimages:edit", own_image, expect=lambda w: [w.own_image.title]),
    "own image usage": Visit("wagtailimages:image_usage", own_image),
    "image chooser": Visit("wagtailimages_chooser:choose", expect=lambda w: [w.own_image.title]),
    "image chooser search": Visit("wagtailimages_chooser:choose_results", query="?q=Экопласта"),
    "image chooser banner": Visit("wagtailimages_chooser:choose_results", query="?q=баннер"),
    "image chooser upload form": Visit("wagtailimages_chooser:create"),
    "own image chosen": Visit(
        "wagtailimages_chooser:chosen", own_image, expect=lambda w: [w.own_image.title]
    ),
    "own image format": Visit("wagtailimages_chooser:select_format", own_image),
    "images chosen by id": Visit(
        "wagtailimages_chooser:chosen_multiple",
        query=lambda w: f"?id={w.own_image.pk}&id={w.other_image.pk}&id={w.root_image.pk}",
        expect=lambda w: [w.own_image.title],
    ),
    "document chooser": Visit("wagtaildocs_chooser:choose"),
    "document chooser search": Visit("wagtaildocs_chooser:choose_results", query="?q=Регламент"),
    "documents chosen by id": Visit(
        "wagtaildocs_chooser:chosen_multiple", query=lambda w: f"?id={w.document.pk}"
    ),
    # Choosers the enterprise page's form needs (district, awards…): reference data.
    **{
        f"{model._meta.model_name} chooser {view}": Visit(
            f"wagtailsnippetchoosers_{model._meta.app_label}_{model._meta.model_name}:{view}",
            lambda w, m=model._meta.model_name: {"pk": w.snippets[m].pk},
            query=lambda w, m=model._meta.model_name, v=view: (
                f"?id={w.snippets[m].pk}" if v == "chosen_multiple" else ""
            ),
            by_design=awards,
        )
        for model in get_snippet_models()
        for view in ("choose", "choose_results", "chosen", "chosen_multiple")
    },
    "task chooser": Visit("wagtailadmin_workflows:task_chooser"),
    "task chooser results": Visit("wagtailadmin_workflows:task_chooser_results"),
    "task chooser create tab": Visit("wagtailadmin_workflows:task_chooser_create"),
    "task chosen": Visit("wagtailadmin_workflows:task_chosen", lambda w: {"task_id": w.task.pk}),
    # Reports Wagtail opens to anyone with a page permission.
    "aging pages": Visit("wagtailadmin_reports:aging_pages"),
    "aging pages results": Visit("wagtailadmin_reports:aging_pages_results"),
    "workflow tasks report": Visit("wagtailadmin_reports:workflow_tasks"),
    "workflow tasks report results": Visit("wagtailadmin_reports:workflow_tasks_results"),
    "workflow report": Visit("wagtailadmin_reports:workflow"),
    "workflow report results": Visit("wagtailadmin_reports:workflow_results"),
    "site history": Visit("wagtailadmin_reports:site_history"),
    "site history results": Visit("wagtailadmin_reports:site_history_results"),
    "site history export": Visit("wagtailadmin_reports:site_history", query="?export=csv"),
    "page types usage": Visit("wagtailadmin_reports:page_types_usage"),
    "page types usage results": Visit("wagtailadmin_reports:page_types_usage_results"),
    # The page chooser (rich-text links): live pages yes, others' drafts no.
    "page chooser": Visit("wagtailadmin_choose_page", by_design=live_pages),
    "page chooser in enterprises": Visit(
        "wagtailadmin_choose_page_child",
        lambda w: {"parent_page_id": w.enterprise_index.pk},
        expect=own_title,
        by_design=live_pages,
    ),
    "page chooser search": Visit(
        "wagtailadmin_choose_page_search", query="?q=Новичок", by_design=live_pages
    ),
    "page chooser by id": Visit(
        "wagtailadmin_choose_page_chosen_multiple",
        query=lambda w: f"?id={w.own.pk}&id={w.draft.pk}",
        by_design=live_pages,
    ),
}

# Whole-site reports and the admin API's media: enterprise accounts are refused them
# (pages/admin_guard.py), since their work needs none and Wagtail opens them to anyone
# with a page permission.
REFUSED_VISITS = {
    key: VISITS.pop(key)
    for key in [
        "images in the admin API",
        "documents in the admin API",
        "aging pages",
        "aging pages results",
        "workflow tasks report",
        "workflow tasks report results",
        "workflow report",
        "workflow report results",
        "site history",
        "site history results",
        "site history export",
        "page types usage",
        "page types usage results",
    ]
}


@pytest.mark.parametrize("key", list(VISITS))
def test_what_they_may_open_shows_theirs_and_nothing_of_others(host, world, key):
    """Positive controls (a broken login fails here) and what those pages must not show."""
    visit = VISITS[key]

    response = host.get(visit.url(world))

    assert response.status_code == 200, f"{visit.url(world)}: {response.status_code}"
    text = text_of(response)
    for expected in visit.expect(world):
        assert expected in text, f"{visit.url(world)} does not show {expected!r}"
    shown = [s for s in world.secrets() if s in text and s not in visit.by_design(world)]
    assert not shown, f"{visit.url(world)} shows {shown}"


def test_the_explorer_takes_them_to_their_own_page(host, world):
    response = host.get(reverse("wagtailadmin_explore_root"))

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=(world.own.pk,))


def test_the_editing_sessions_of_others_stay_theirs(host, world):
    """Releasing someone else's editing session by id is a no-op (Wagtail filters by user)."""
    before = database_state()

    response = host.post(
        reverse("wagtailadmin_editing_sessions:release", args=(world.other_editing_session.pk,))
    )

    assert response.status_code == 200 and response.json() == {}
    assert_unchanged(before, database_state(), "releasing another's editing session")


# --- forms they may use, pointed at someone else's enterprise or collection -----------------


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (12, 9), "teal").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def moscow_day(days: int) -> datetime.datetime:
    day = timezone.localdate(timezone.now(), MOSCOW) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(11), MOSCOW)


def enterprise_of(w: World, whose: str):
    return {"own": w.own, "other": w.other, "draft": w.draft}[whose]


def collection_of(w: World, whose: str):
    return {
        "own": w.own_collection,
        "other": w.other_collection,
        "root": Collection.get_first_root_node(),
    }[whose]


@dataclass(frozen=True)
class Attempt:
    """A form the account may fill in, aimed at ``whose`` enterprise or collection."""

    name: str
    values: Callable[[World], dict]
    data: Callable[[World, str], dict]
    # Did the POST make what it asked for (for ``whose``)?
    made: Callable[[World, str], bool]


def session_form(w, whose):
    starts = timezone.localtime(moscow_day(12), MOSCOW)
    return {
        "enterprise": enterprise_of(w, whose).pk,
        "event_format": w.snippets["eventformat"].pk,
        "title": "Сеанс из формы",
        "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
        "ends_at": starts.strftime("%Y-%m-%d") + " 12:30",
        "capacity": 20,
        "max_party_size": 4,
        "meeting_point": "Проходная",
        "for_adults": "on",
    }


def series_form(w, whose):
    return {
        "enterprise": enterprise_of(w, whose).pk,
        "event_format": w.snippets["eventformat"].pk,
        "title": "Серия из формы",
        "capacity": 25,
        "max_party_size": 4,
        "meeting_point": "Проходная №2",
        "audiences": ["students", "adults"],
        "start_time": "11:00",
        "duration_minutes": 90,
        "dates": "\n".join(moscow_day(n).strftime("%d.%m.%Y") for n in (20, 27)),
    }


def sessions_titled(title):
    from booking.models import TourSession

    return lambda w, whose: TourSession.objects.filter(
        title=title, enterprise=enterprise_of(w, whose)
    ).exists()


def moved_own_session(w, whose):
    from booking.models import TourSession

    return TourSession.objects.get(pk=w.own_session.pk).enterprise_id == enterprise_of(w, whose).pk


def image_titled(title):
    return lambda w, whose: (
        get_image_model().objects.filter(title=title, collection=collection_of(w, whose)).exists()
    )


def own_image_in(w, whose):
    return (
        get_image_model().objects.get(pk=w.own_image.pk).collection_id == collection_of(w, whose).pk
    )


ATTEMPTS = {
    "new session": Attempt(
        "booking_sessions:add", lambda w: {}, session_form, sessions_titled("Сеанс из формы")
    ),
    "series of sessions": Attempt(
        "booking_series:create", lambda w: {}, series_form, sessions_titled("Серия из формы")
    ),
    "own session moved": Attempt(
        "booking_sessions:edit",
        lambda w: {"pk": w.own_session.pk},
        lambda w, whose: {**session_form(w, whose), "title": w.own_session.title},
        moved_own_session,
    ),
    "image upload": Attempt(
        "wagtailimages:add",
        lambda w: {},
        lambda w, whose: {
            "title": "Загружено формой",
            "file": png(),
            "collection": collection_of(w, whose).pk,
        },
        image_titled("Загружено формой"),
    ),
    "multiple image upload": Attempt(
        "wagtailimages:add_multiple",
        lambda w: {},
        lambda w, whose: {
            "files[]": png("multi-upload.png"),
            "collection": collection_of(w, whose).pk,
        },
        image_titled("multi-upload.png"),
    ),
    "image upload in the chooser": Attempt(
        "wagtailimages_chooser:create",
        lambda w: {},
        lambda w, whose: {
            "image-chooser-upload-title": "Загружено в выборе",
            "image-chooser-upload-file": png(),
            "image-chooser-upload-collection": collection_of(w, whose).pk,
        },
        image_titled("Загружено в выборе"),
    ),
    "own image moved": Attempt(
        "wagtailimages:edit",
        own_image,
        lambda w, whose: {"title": w.own_image.title, "collection": collection_of(w, whose).pk},
        own_image_in,
    ),
}


def attempt_params() -> list:
    return [
        pytest.param(key, whose, id=f"{key} for {whose}")
        for key in ATTEMPTS
        for whose in (("own", "other", "root") if "image" in key else ("own", "other", "draft"))
    ]


@pytest.mark.parametrize("key, whose", attempt_params())
def test_forms_keep_them_in_their_enterprise(host, world, key, whose):
    """The same form works for their own enterprise (or collection) and for nobody else's."""
    attempt = ATTEMPTS[key]
    url = url_for(attempt.name, attempt.values(world))
    before = database_state()

    response = host.post(url, attempt.data(world, whose))

    assert response.status_code < 500, response.content[:300]
    if whose == "own":
        assert attempt.made(world, whose), f"{key}: the form did not work for their own"
        return
    assert not attempt.made(world, whose), f"{key} went through for {whose}"
    changed = changes(before, database_state())
    if "image" in key:
        # Wagtail puts the upload in the one collection they have, whatever was asked
        # for (and logs it): what changed must all be theirs.
        changed.pop("wagtailcore.ModelLogEntry", None)
        images = changed.pop("wagtailimages.Image", {})
        touched = images.get("added", []) + [pk for pk in images if isinstance(pk, int)]
        for pk in touched:
            assert get_image_model().objects.get(pk=pk).collection_id == world.own_collection.pk
    assert not changed, f"{key} for {whose} changed {changed}"
    assert not [s for s in world.secrets() if s in text_of(response)], f"{key} shows others"


# --- their own page: every door that would skip moderation stays shut ------------------


def publishing_form(w: World) -> dict:
    """The enterprise page's whole edit form, with «Опубликовать» pressed."""
    return nested_form_data(
        {
            "title": HACKED,
            "slug": w.own.slug,
            "short_description": "Правка без проверки.",
            "kind": "enterprise",
            "body": streamfield([]),
            "gallery_images": inline_formset([]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


OWN_DOORS = {
    "edit and publish": Guess("wagtailadmin_pages:edit", own_page, publishing_form),
    "revert and publish": Guess("wagtailadmin_pages:revisions_revert", own_page, publishing_form),
    "publish through the API": Guess(
        "wagtailadmin_api:pages:action",
        lambda w: {"pk": w.own.pk, "action_name": "publish"},
        json_body=True,
    ),
    "unpublish through the API": Guess(
        "wagtailadmin_api:pages:action",
        lambda w: {"pk": w.own.pk, "action_name": "unpublish"},
        json_body=True,
    ),
    "approve their own change": Guess(
        "wagtailadmin_pages:workflow_action",
        lambda w: {
            "page_id": w.own.pk,
            "action_name": "approve",
            "task_state_id": w.own_task_state.pk,
        },
        lambda w: {"comment": "Сами себе"},
    ),
    "publish in bulk": BulkGuess(
        Guess(
            "wagtail_bulk_action",
            lambda w: {"app_label": "wagtailcore", "model_name": "page", "action": "publish"},
        ),
        lambda w: [w.own],
    ),
    **{
        f"{name}": Guess(
            f"wagtailadmin_pages:{name}",
            page_values("own"),
            page_post_data(f"wagtailadmin_pages:{name}", "own"),
        )
        for name in (
            "unpublish",
            "delete",
            "move",
            "move_confirm",
            "lock",
            "unlock",
            "set_privacy",
            "copy",
            "revisions_unschedule",
            "set_page_position",
        )
    },
    "create an account for it": Guess(
        "pages_enterprise_account",
        page_values("own"),
        page_post_data("pages_enterprise_account", "own"),
    ),
}


def published_state(w: World) -> dict:
    """What the public sees of their page, and what moderation holds."""
    page = Page.objects.get(pk=w.own.pk)
    return {
        "page": (page.title, page.slug, page.path, page.live, page.live_revision_id, page.locked),
        "pages": Page.objects.count(),
        "restrictions": PageViewRestriction.objects.count(),
        "workflow": list(WorkflowState.objects.order_by("pk").values_list("pk", "status")),
        "tasks": list(TaskState.objects.order_by("pk").values_list("pk", "status")),
        "users": get_user_model().objects.count(),
    }


@pytest.mark.parametrize("key", list(OWN_DOORS))
def test_their_own_page_changes_only_through_moderation(host, world, key):
    before = published_state(world)

    answer = OWN_DOORS[key].send(host, "POST", world)

    assert answer.response.status_code < 500
    assert published_state(world) == before, f"{key} got past moderation"


@pytest.mark.parametrize(
    "key",
    [
        "edit and publish",
        "revert and publish",
        "publish through the API",
        "unpublish through the API",
        "approve their own change",
        "publish in bulk",
        "unpublish",
        "move_confirm",
        "lock",
        "set_privacy",
        "copy",
        "create an account for it",
    ],
)
def test_an_editor_going_through_the_same_door_changes_the_page(editor, world, key):
    """Negative control: those doors are real, and open for the programme's editors."""
    before = published_state(world)

    answer = OWN_DOORS[key].send(editor, "POST", world)

    assert answer.response.status_code < 500
    assert published_state(world) != before, f"an editor's {key} changed nothing"


# --- the same requests from an editor: proof that they would change something -------------

EDITOR_CONTROLS = [
    "wagtailadmin_pages:delete[draft]",
    "wagtailadmin_pages:unpublish[news]",
    "wagtailadmin_pages:move_confirm[other]",
    "wagtailadmin_pages:lock[other]",
    "wagtailadmin_pages:set_privacy[video]",
    "wagtailadmin_pages:copy[other]",
    "wagtailadmin_pages:workflow_action[other]",
    "wagtailadmin_pages:convert_alias[alias]",
    "wagtailadmin_api:pages:action:publish[draft]",
    "wagtailadmin_api:pages:action:delete[news]",
    "wagtail_bulk_action:wagtailcore.page:unpublish",
    "booking_sessions:cancel[other session]",
    "booking_sessions:delete[other session]",
    "booking_registrations:attendance[other enterprise]",
    "prize_claims:action[other visitor]",
    "wagtailimages:delete[other_image]",
    "wagtailimages:delete[root_image]",
    "wagtaildocs:delete",
    "wagtailsnippets_catalogue_award:delete",
    "wagtailsnippets_catalogue_award:unpublish",
    "wagtailusers_users:delete",
    "wagtailusers_groups:delete",
    "wagtailredirects:delete",
    "wagtailadmin_collections:edit",
]


@pytest.mark.parametrize("key", EDITOR_CONTROLS)
def test_an_editor_making_the_same_request_changes_something(editor, world, key):
    """Negative control: the refused POSTs above are real requests, not harmless typos."""
    before = database_state()

    answer = GUESSES[key].send(editor, "POST", world)

    assert answer.response.status_code < 500
    assert database_state() != before, f"an editor's POST {GUESSES[key].url(world)} did nothing"


# --- every admin URL is accounted for -------------------------------------------------------

EXEMPT = {
    "wagtailadmin_login": "the login page itself",
    "wagtailadmin_logout": "ends their own session",
    "wagtailadmin_password_reset": "for the logged-out; e-mails the address typed",
    "wagtailadmin_password_reset_done": "a static page",
    "wagtailadmin_password_reset_confirm": "needs a token sent by e-mail",
    "wagtailadmin_password_reset_complete": "a static page",
    "wagtailadmin_javascript_catalog": "translations",
    "wagtailadmin_sprite": "icons",
    "wagtailadmin_error_test": "raises on purpose (Wagtail's error page test)",
    "wagtailadmin_dismissibles": "the user's own dismissed hints",
    "wagtailadmin_block_preview": "renders the block sent in the request",
    "wagtailadmin_tag_autocomplete": "tag names are public",
    "wagtailadmin_tag_model_autocomplete": "tag names are public",
    "wagtailembeds:chooser": "embeds a URL the user types; nothing stored is read",
    "wagtailembeds:chooser_upload": "embeds a URL the user types; nothing stored is read",
    "wagtailadmin_choose_page_external_link": "echoes the link the user types",
    "wagtailadmin_choose_page_email_link": "echoes the link the user types",
    "wagtailadmin_choose_page_phone_link": "echoes the link the user types",
    "wagtailadmin_choose_page_anchor_link": "echoes the link the user types",
    "wagtailadmin_explore_root": "test_the_explorer_takes_them_to_their_own_page",
    "wagtailadmin_editing_sessions:release": "test_the_editing_sessions_of_others_stay_theirs",
}


def test_every_admin_url_is_covered():
    covered = {guess.name for guess in GUESSES.values()}
    covered |= {visit.name for visit in VISITS.values()}
    covered |= {visit.name for visit in REFUSED_VISITS.values()}
    covered |= {attempt.name for attempt in ATTEMPTS.values()}
    covered |= {door.name for door in OWN_DOORS.values()}

    missing = set(ADMIN_URLS) - covered - set(EXEMPT)

    assert not missing, f"admin URLs without a permission case: {sorted(missing)}"
    assert set(EXEMPT) <= set(ADMIN_URLS), set(EXEMPT) - set(ADMIN_URLS)


@pytest.mark.parametrize("key", sorted(REFUSED_VISITS))
def test_site_wide_reports_and_media_api_are_refused(host, world, key):
    url = REFUSED_VISITS[key].url(world)
    host.cookies.pop("messages", None)
    answer = settle(host, host.get(url), world)
    problem = refusal_problem(answer)
    assert problem is None, f"{url} {problem}"
    assert not answer.leaked(world.secrets()), f"{url} shows them"
