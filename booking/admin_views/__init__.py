"""The booking admin: sessions, series of dates, registrations, check-in, exports.

One module per thing shown: ``sessions``, ``series``, ``registrations``, ``dashboard``
(and ``common`` for what they share); this package puts them in one menu.

Every view looks objects up through ``booking.permissions`` (``sessions_visible_to``,
``registrations_visible_to``): an object outside the user's enterprises is a 404,
never a form, an export or an action. Model permissions (``add``, ``change``,
``view``…) are checked on top by Wagtail's ``PermissionCheckedMixin`` against the
policies registered in ``booking/wagtail_hooks.py``. Booking rules stay in
``booking.services``: these views only call them and show their messages.
"""

from wagtail.admin.viewsets.base import ViewSetGroup

from booking.admin_views.dashboard import UpcomingSessionsPanel
from booking.admin_views.registrations import RegistrationViewSet
from booking.admin_views.series import SessionSeriesViewSet
from booking.admin_views.sessions import CANCEL_SESSION_ACTION, TourSessionViewSet
from booking.clock import moscow

__all__ = ["CANCEL_SESSION_ACTION", "MOSCOW", "BookingViewSetGroup", "UpcomingSessionsPanel"]

# The programme's time zone (settings.TIME_ZONE), kept for code that imports it from here.
MOSCOW = moscow()


class BookingViewSetGroup(ViewSetGroup):
    menu_label = "Экскурсии"
    menu_icon = "date"
    menu_order = 250
    items = (TourSessionViewSet, RegistrationViewSet, SessionSeriesViewSet)
