import graphene
from django.core.exceptions import ValidationError

from booking import models, services
from graphql_schema.booking.filters import SessionFilter
from graphql_schema.booking.types import Registration, TourSession
from graphql_schema.core.connections import ListField
from graphql_schema.core.inputs import parse_id
from graphql_schema.core.loading import plan
from graphql_schema.core.selection import selection_tree


def visible_sessions(tree):
    """Sessions of published enterprises, seats counted, with what ``tree`` selects."""
    return plan(models.TourSession.objects.visible().with_seats_taken(), TourSession, tree)


class BookingQueries(graphene.ObjectType):
    sessions = ListField(
        TourSession,
        filterset_class=SessionFilter,
        include_past=graphene.Boolean(
            default_value=False, description="Also sessions that have started or are over."
        ),
        description="Scheduled sessions at published enterprises, soonest first.",
    )
    session = graphene.Field(
        TourSession,
        id=graphene.ID(required=True),
        description="A session by id, also when cancelled or past.",
    )
    registration = graphene.Field(
        Registration,
        token=graphene.String(required=True),
        description="The registration the token (from the e-mail link) opens; null if none.",
    )

    @staticmethod
    def resolve_sessions(root, info, include_past=False, **filters):
        queryset = visible_sessions(selection_tree(info, "edges", "node")).scheduled()
        if not include_past:
            queryset = queryset.upcoming()
        return queryset.order_by("starts_at", "pk")

    @staticmethod
    def resolve_session(root, info, id):
        pk = parse_id(id)
        if pk is None:
            return None
        return visible_sessions(selection_tree(info)).filter(pk=pk).first()

    @staticmethod
    def resolve_registration(root, info, token):
        try:
            return services.find_by_token(token)
        except ValidationError:
            return None  # the same answer for a malformed, unknown or forged token
