"""The game in the admin: prize claims (hand out, cancel) and per-quiz statistics.

Quizzes, tasks, prizes and gated sessions are snippets (``wagtail_hooks``); these views
only call ``quests.services`` and show its messages.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn, Column, StatusTagColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet

from booking.admin_views.common import moscow_time
from quests import services
from quests.models import PrizeClaim, Quiz
from quests.permissions import claims_visible_to, may_cancel_claims

CLAIMS = "prize_claims"
STATISTICS = "quiz_statistics"


class ClaimFilterSet(WagtailFilterSet):
    class Meta:
        model = PrizeClaim
        fields = ["status", "prize"]


class ClaimActionsColumn(BaseColumn):
    """«Выдан» / «Отменить» as POST forms (a GET link must never change anything)."""

    cell_template_name = "quests/admin/claim_actions_cell.html"

    def __init__(self, next_url: str, can_cancel: bool, **kwargs):
        super().__init__("actions", label="Действия", **kwargs)
        self.next_url = next_url
        self.can_cancel = can_cancel

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context.update(
            open=instance.status == PrizeClaim.Status.CLAIMED,
            can_cancel=self.can_cancel,
            url=reverse(f"{CLAIMS}:action", args=[instance.pk]),
            next_url=self.next_url,
            csrf_token=get_token(parent_context["request"]),
        )
        return context


class ClaimIndexView(generic.IndexView):
    def get_base_queryset(self):
        return claims_visible_to(self.request.user).select_related("prize", "participant")

    def get_page_title(self):
        return "Заявки на призы"

    @cached_property
    def columns(self):
        columns = [
            Column("prize", label="Приз", sort_key="prize__title"),
            Column("participant", label="Участник"),
            Column("email", label="E-mail", accessor=lambda c: c.participant.email),
            Column("handout", label="Выдача", accessor=lambda c: c.prize.get_handout_display()),
            StatusTagColumn(
                "status",
                label="Статус",
                accessor="get_status_display",
                primary=lambda c: c.status == PrizeClaim.Status.CLAIMED,
                sort_key="status",
            ),
            Column(
                "claimed_at",
                label="Заявка (МСК)",
                accessor=lambda c: moscow_time(c.claimed_at),
                sort_key="claimed_at",
            ),
            Column(
                "handed_out_at",
                label="Выдан (МСК)",
                accessor=lambda c: moscow_time(c.handed_out_at),
            ),
        ]
        if self.user_has_permission("change"):
            columns.append(
                ClaimActionsColumn(
                    self.index_url,
                    can_cancel=may_cancel_claims(self.request.user),
                )
            )
        return columns


class ClaimActionView(PermissionCheckedMixin, View):
    """POST ``action=hand_out|cancel``: ``services.hand_out`` or ``services.cancel_claim``."""

    model = PrizeClaim
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        claim = get_object_or_404(claims_visible_to(request.user), pk=pk)
        action = request.POST.get("action")
        if action not in ("hand_out", "cancel"):
            return HttpResponseBadRequest("Укажите действие: action=hand_out или cancel.")
        if action == "cancel" and not may_cancel_claims(request.user):
            raise PermissionDenied
        try:
            if action == "hand_out":
                claim = services.hand_out(claim.pk, request.user)
            else:
                claim = services.cancel_claim(claim.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"«{claim.prize}»: {claim.get_status_display()}.")
        return redirect(get_valid_next_url_from_request(request) or reverse(f"{CLAIMS}:index"))


class ListingOnlyViewSet(ModelViewSet):
    """A model's listing (and what ``get_urlpatterns`` adds), without Wagtail's add,
    edit, delete, history, usage, copy and inspect views."""

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add", "edit", "delete", "history", "usage", "copy", "inspect"):
            view_kwargs[f"{name}_url_name"] = None
        return view_kwargs


class ClaimViewSet(ListingOnlyViewSet):
    """«Заявки на призы»: the list, handing out and cancelling; no add, edit or delete."""

    model = PrizeClaim
    name = CLAIMS
    url_prefix = "quests/claims"
    icon = "pick"
    menu_label = "Заявки на призы"
    add_to_admin_menu = True
    menu_order = 261
    add_to_reference_index = False
    index_view_class = ClaimIndexView
    filterset_class = ClaimFilterSet
    ordering = ["-claimed_at", "-pk"]
    list_per_page = 50

    @property
    def action_view(self):
        return self.construct_view(ClaimActionView)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("action/<int:pk>/", self.action_view, name="action"),
        ]

    def get_permissions_to_register(self):
        return (
            super()
            .get_permissions_to_register()
            .filter(codename__in=["view_prizeclaim", "change_prizeclaim"])
        )


class StatisticsView(generic.IndexView):
    """Every quiz: attempts, participants, pass rate of first attempts, hardest question.
    For whoever may see quizzes (the index's own permission check)."""

    template_name = "quests/admin/statistics.html"
    results_template_name = "quests/admin/statistics_results.html"
    paginate_by = 50

    def get_base_queryset(self):
        return Quiz.objects.order_by("title", "pk")

    def get_page_title(self):
        return "Статистика викторин"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quizzes = list(context["object_list"])
        statistics = services.statistics_for(quizzes)
        context["rows"] = [(quiz, statistics[quiz.pk]) for quiz in quizzes]
        return context


class StatisticsViewSet(ListingOnlyViewSet):
    model = Quiz
    name = STATISTICS
    url_prefix = "quests/statistics"
    icon = "table"
    menu_label = "Статистика викторин"
    add_to_admin_menu = True
    menu_order = 262
    add_to_reference_index = False
    index_view_class = StatisticsView

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().none()
