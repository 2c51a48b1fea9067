import graphene
from django.db.models import F

from graphql_schema.core.connections import ListField
from graphql_schema.core.loading import plan
from graphql_schema.core.selection import selection_tree
from graphql_schema.enterprises.filters import EnterpriseFilter
from graphql_schema.enterprises.types import Enterprise
from pages.models import EnterprisePage
from pages.visibility import published


def visible():
    return published(EnterprisePage.objects.all())


class EnterpriseOrder(graphene.Enum):
    NAME = "NAME"
    JOINED_YEAR_DESC = "JOINED_YEAR_DESC"
    NEWEST = "NEWEST"


ORDERINGS = {
    "NAME": ["title", "pk"],
    "JOINED_YEAR_DESC": [F("joined_year").desc(nulls_last=True), "title", "pk"],
    "NEWEST": [F("first_published_at").desc(nulls_last=True), "pk"],
}


class EnterpriseQueries(graphene.ObjectType):
    enterprises = ListField(
        Enterprise,
        filterset_class=EnterpriseFilter,
        # "order_by" is taken by DjangoFilterConnectionField, hence another Python name.
        ordering=graphene.Argument(
            EnterpriseOrder, name="orderBy", default_value=EnterpriseOrder.NAME.value
        ),
        description="Published enterprises, by name unless ordered otherwise.",
    )
    enterprise = graphene.Field(Enterprise, slug=graphene.String(required=True))

    @staticmethod
    def resolve_enterprises(root, info, ordering=EnterpriseOrder.NAME.value, **filters):
        # An explicit null means the default order, as an omitted argument does.
        ordering = ORDERINGS[getattr(ordering, "value", ordering) or EnterpriseOrder.NAME.value]
        return plan(visible(), Enterprise, selection_tree(info, "edges", "node")).order_by(
            *ordering
        )

    @staticmethod
    def resolve_enterprise(root, info, slug):
        return plan(visible(), Enterprise, selection_tree(info)).filter(slug=slug).first()
