"""The game in the admin: the «Игра» menu of snippets, prize claims and statistics.

The claims' permission policy is registered when this module loads, before any view
asks Wagtail for it (as booking does for its own).
"""

from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from quests.admin_views import ClaimViewSet, StatisticsViewSet
from quests.forms import SessionGateForm
from quests.models import Prize, PrizeClaim, Quiz, SessionGate, Task
from quests.permissions import prize_claim_permission_policy

register_permission_policy(PrizeClaim, prize_claim_permission_policy)


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "help"
    menu_label = "Викторины"
    list_display = ["title", "season", "enterprise", "industry", "live"]
    list_filter = ["live"]
    search_fields = ["title"]


class TaskViewSet(SnippetViewSet):
    model = Task
    icon = "tasks"
    menu_label = "Задания"
    list_display = ["title", "season", "kind", "points"]
    list_filter = ["kind"]
    search_fields = ["title"]


class PrizeViewSet(SnippetViewSet):
    model = Prize
    icon = "pick"
    menu_label = "Призы"
    list_display = ["title", "price", "stock", "stock_left", "handout", "is_active"]
    list_filter = ["is_active", "handout"]
    search_fields = ["title"]

    def get_queryset(self, request):
        return Prize.objects.with_claimed()  # stock left from one query, not one per row


class SessionGateViewSet(SnippetViewSet):
    model = SessionGate
    icon = "lock"
    menu_label = "Сеансы по заданию"
    list_display = ["session", "task"]
    edit_handler = ObjectList(SessionGate.panels, base_form_class=SessionGateForm)

    def get_queryset(self, request):
        return SessionGate.objects.select_related(
            "session__enterprise", "session__event_format", "task"
        )


class GameViewSetGroup(SnippetViewSetGroup):
    menu_label = "Игра"
    menu_icon = "trophy"
    menu_order = 260
    items = (QuizViewSet, TaskViewSet, PrizeViewSet, SessionGateViewSet)


register_snippet(GameViewSetGroup)


@hooks.register("register_admin_viewset")
def register_claims():
    return ClaimViewSet()


@hooks.register("register_admin_viewset")
def register_statistics():
    return StatisticsViewSet()
