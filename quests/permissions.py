"""Who sees and hands out which prize claims in the admin.

* The programme's staff with ``quests.view_prizeclaim`` see every claim; with
  ``quests.change_prizeclaim`` they hand prizes out and cancel claims.
* A **host** (anyone who may check visitors in: ``booking.change_registration``, with
  the enterprises ``booking.permissions`` scopes) sees the claims of prizes handed out
  at an excursion by participants registered, with the same e-mail, for one of the
  sessions they host, and may mark those handed out; cancelling stays with the staff.
"""

from django.db.models import QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from booking.models import SEATED_STATUSES
from booking.permissions import registrations_visible_to
from quests.models import Prize, PrizeClaim

CHECK_IN = "booking.change_registration"


def is_host(user) -> bool:
    return bool(user.is_active and user.has_perm(CHECK_IN))


def sees_all_claims(user) -> bool:
    return bool(user.is_active and user.has_perm("quests.view_prizeclaim"))


def may_cancel_claims(user) -> bool:
    """Cancelling a claim returns its points: the programme's staff only, never hosts."""
    return bool(user.is_active and user.has_perm("quests.change_prizeclaim"))


def claims_visible_to(user) -> QuerySet[PrizeClaim]:
    """The claims a user may see in the admin (none for others)."""
    if sees_all_claims(user):
        return PrizeClaim.objects.all()
    if not is_host(user):
        return PrizeClaim.objects.none()
    visitors = registrations_visible_to(user).filter(status__in=SEATED_STATUSES)
    return PrizeClaim.objects.filter(
        prize__handout=Prize.Handout.AT_EXCURSION,
        participant__email__in=visitors.values("email"),
    )


class PrizeClaimPermissionPolicy(ModelPermissionPolicy):
    """Claims come only from participants: nobody adds or deletes one in the admin."""

    HOST_ACTIONS = frozenset({"view", "change"})

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action) or (
            action in self.HOST_ACTIONS and is_host(user)
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and claims_visible_to(user).filter(pk=instance.pk).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return PrizeClaim.objects.none()
        return claims_visible_to(user)


prize_claim_permission_policy = PrizeClaimPermissionPolicy(PrizeClaim)
