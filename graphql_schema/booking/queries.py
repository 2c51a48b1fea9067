import graphene
from django.core.exceptions import ValidationError

from booking import services
from graphql_schema.booking.filters import SessionFilter
from graphql_schema.booking.types import Registration, TourSession
from graphql_schema.core.connections import ListField
from graphql_schema.core.inputs import parse_id
from graphql_schema.core.prefetch import session_queryset
from graphql_schema.core.selection import selection_tree


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
        queryset = session_queryset(selection_tree(info, "edges", "node")).filter(
            status="scheduled"
        )
        if not include_past:
            queryset = queryset.upcoming()
        return queryset.order_by("starts_at", "pk")

    @staticmethod
    def resolve_session(root, info, id):
        pk = parse_id(id)
        if pk is None:
            return None
        return session_queryset(selection_tree(info)).filter(pk=pk).first()

    @staticmethod
    def resolve_registration(root, info, token):
        try:
            return services.find_by_token(token)
        except ValidationError:
            return None  # the same answer for a malformed, unknown or forged token
