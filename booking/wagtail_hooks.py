"""The booking admin in Wagtail: the «Экскурсии» menu, its permissions, a dashboard panel.

The permission policies are registered when this module loads, before any view asks
Wagtail for them; otherwise Wagtail would fall back to plain model permissions, which
know nothing about enterprises (and it refuses a late registration loudly).
"""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from booking.admin_views import CANCEL_SESSION_ACTION, BookingViewSetGroup, UpcomingSessionsPanel
from booking.models import Registration, TourSession
from booking.permissions import registration_permission_policy, tour_session_permission_policy

register_permission_policy(TourSession, tour_session_permission_policy)
register_permission_policy(Registration, registration_permission_policy)


@hooks.register("register_admin_viewset")
def register_booking_viewsets():
    return BookingViewSetGroup()


@hooks.register("register_log_actions")
def register_booking_log_actions(actions):
    actions.register_action(CANCEL_SESSION_ACTION, "Отмена сеанса", "Сеанс отменён")


@hooks.register("construct_homepage_panels")
def add_upcoming_sessions_panel(request, panels):
    """«Ближайшие сеансы» for anyone who works with sessions."""
    if tour_session_permission_policy.user_has_any_permission(
        request.user, {"add", "change", "view"}
    ):
        panels.append(UpcomingSessionsPanel())
