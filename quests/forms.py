"""The admin's form for gating a session."""

from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm

from booking.models import TourSession


class SessionGateForm(WagtailAdminModelForm):
    """Offers only sessions still to come (a season has thousands), each named by its
    enterprise and format without a query per option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = TourSession.objects.select_related("enterprise", "event_format")
        upcoming = sessions.filter(starts_at__gt=timezone.now())
        if self.instance.session_id:  # keep the current choice valid, even once it is past
            upcoming = sessions.filter(pk=self.instance.session_id) | upcoming
        self.fields["session"].queryset = upcoming.order_by("starts_at", "pk")
