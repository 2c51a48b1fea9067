"""«Ближайшие сеансы» on the Wagtail dashboard."""

from django.urls import reverse
from wagtail.admin.ui.components import Component
from wagtail.permissions import policy_registry

from booking.admin_views.common import REGISTRATIONS, SESSIONS, fill_rate, moscow_time
from booking.models import Registration, TourSession
from booking.permissions import sessions_visible_to


class UpcomingSessionsPanel(Component):
    """«Ближайшие сеансы» on the dashboard: the next sessions the user may see, filled how."""

    name = "upcoming_sessions"
    template_name = "booking/admin/upcoming_sessions_panel.html"
    order = 90
    limit = 10

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        sessions = (
            sessions_visible_to(user)
            .upcoming()
            .with_seats_taken()
            .select_related("enterprise", "event_format")
            .order_by("starts_at", "pk")[: self.limit]
        )
        can_view_registrations = policy_registry.get_by_type(Registration).user_has_permission(
            user, "view"
        )
        can_edit = policy_registry.get_by_type(TourSession).user_has_permission(user, "change")
        rows = []
        for session in sessions:
            if can_view_registrations:
                url = reverse(f"{REGISTRATIONS}:session", args=[session.pk])
            else:
                url = reverse(f"{SESSIONS}:{'edit' if can_edit else 'inspect'}", args=[session.pk])
            rows.append(
                {
                    "session": session,
                    "url": url,
                    "starts_at": moscow_time(session.starts_at),
                    "fill_rate": fill_rate(session),
                }
            )
        return {
            "rows": rows,
            "sessions_url": reverse(f"{SESSIONS}:index"),
        }
