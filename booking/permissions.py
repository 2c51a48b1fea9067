"""Who sees which sessions and registrations in the admin.

The rule, without new tables:

* superusers and holders of ``booking.manage_all_sessions`` (the programme team)
  see every session and registration;
* anyone else is a **host** of the enterprise pages they may "change" as Wagtail page
  permissions grant it (``GroupPagePermission`` on the page or an ancestor, as
  ``PagePermissionPolicy`` reads them), and sees only those enterprises' sessions
  and the registrations for them.

On top of that scope, the ordinary Django model permissions say what a user may do
(``add``/``change``/``view`` a session, ``view`` a registration, ``change`` one, which
here only means checking a visitor in). Every admin queryset, export and action goes
through ``sessions_visible_to`` / ``registrations_visible_to``; the permission
policies below give Wagtail's generic views the same answers.
"""

from django.db.models import Exists, OuterRef, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import page_permission_policy

from booking.models import Registration, TourSession
from pages.models import EnterprisePage

MANAGE_ALL_SESSIONS = "booking.manage_all_sessions"


def manages_all_sessions(user) -> bool:
    """The programme team: superusers and holders of ``booking.manage_all_sessions``."""
    return bool(user.is_active and (user.is_superuser or user.has_perm(MANAGE_ALL_SESSIONS)))


def hosted_enterprises(user) -> QuerySet[EnterprisePage]:
    """Enterprise pages whose sessions the user runs (all of them for the programme team)."""
    if not user.is_active:
        return EnterprisePage.objects.none()
    if manages_all_sessions(user):
        return EnterprisePage.objects.all()
    # Wagtail's own reading of page permissions: a "change" grant on a page covers its
    # subtree, so a group given the enterprise index would host every enterprise.
    pages = page_permission_policy.instances_user_has_permission_for(user, "change")
    return EnterprisePage.objects.filter(pk__in=pages.values("pk"))


def sessions_visible_to(user) -> QuerySet[TourSession]:
    """The sessions a user may see in the admin; nothing for anonymous or inactive users."""
    if not user.is_active:
        return TourSession.objects.none()
    if manages_all_sessions(user):
        return TourSession.objects.all()
    return TourSession.objects.filter(enterprise_id__in=hosted_enterprises(user).values("pk"))


def registrations_visible_to(user) -> QuerySet[Registration]:
    """The registrations a user may see: those for the sessions they may see."""
    if not user.is_active:
        return Registration.objects.none()
    if manages_all_sessions(user):
        return Registration.objects.all()
    return Registration.objects.filter(session__in=sessions_visible_to(user).values("pk"))


def with_has_registrations(queryset: QuerySet[TourSession]) -> QuerySet[TourSession]:
    """Annotate ``has_registrations`` so listings can tell deletable sessions in one query."""
    return queryset.annotate(
        has_registrations=Exists(Registration.objects.filter(session=OuterRef("pk")))
    )


class TourSessionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions on sessions, limited per instance to the user's enterprises.

    A session someone registered for is never deleted (registrations protect it, and
    its visitors must be told): it is cancelled instead.
    """

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if not sessions_visible_to(user).filter(pk=instance.pk).exists():
            return False
        if action == "delete":
            has_registrations = getattr(instance, "has_registrations", None)
            if has_registrations is None:
                has_registrations = instance.registrations.exists()
            return not has_registrations
        return True

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return TourSession.objects.none()
        return sessions_visible_to(user)


class RegistrationPermissionPolicy(ModelPermissionPolicy):
    """Registrations come only from visitors: nobody adds or deletes one in the admin.

    ``view`` opens the listings and exports; ``change`` only allows checking a party in.
    """

    NEVER = frozenset({"add", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.NEVER and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and registrations_visible_to(user).filter(pk=instance.pk).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Registration.objects.none()
        return registrations_visible_to(user)


tour_session_permission_policy = TourSessionPermissionPolicy(TourSession)
registration_permission_policy = RegistrationPermissionPolicy(Registration)
