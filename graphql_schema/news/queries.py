import graphene

from graphql_schema.core.connections import ListField
from graphql_schema.core.loading import plan
from graphql_schema.core.selection import selection_tree
from graphql_schema.news.filters import NewsFilter
from graphql_schema.news.types import News
from pages.models import NewsPage
from pages.visibility import published


class NewsOrder(graphene.Enum):
    DATE_DESC = "-date"
    DATE_ASC = "date"
    TITLE = "title"


class NewsQueries(graphene.ObjectType):
    news_list = ListField(
        News,
        filterset_class=NewsFilter,
        # "order_by" is taken by DjangoFilterConnectionField, hence another Python name.
        ordering=graphene.Argument(
            NewsOrder, name="orderBy", default_value=NewsOrder.DATE_DESC.value
        ),
        description="Published news, newest first by default.",
    )
    news = graphene.Field(News, slug=graphene.String(required=True))

    @staticmethod
    def resolve_news_list(root, info, ordering=NewsOrder.DATE_DESC.value, **filters):
        # An explicit null means the default order, as an omitted argument does.
        ordering = getattr(ordering, "value", ordering) or NewsOrder.DATE_DESC.value
        return plan(
            published(NewsPage.objects.all()), News, selection_tree(info, "edges", "node")
        ).order_by(ordering, "-pk")

    @staticmethod
    def resolve_news(root, info, slug):
        return (
            plan(published(NewsPage.objects.all()), News, selection_tree(info))
            .filter(slug=slug)
            .first()
        )
