"""Rich text links that never point at pages the public may not see."""

from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

from pages.visibility import published


class PublishedPageLinkHandler(PageLinkHandler):
    """Like Wagtail's page links, but a link to a draft, private or expired page loses its
    href, so published text cannot reveal where unpublished pages live."""

    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list[Page | None]:
        ids = [attrs.get("id") for attrs in attrs_list]
        pages = published(Page.objects.filter(id__in=ids)).defer_streamfields().specific()
        by_id = {str(page.id): page for page in pages}
        return [by_id.get(str(page_id)) for page_id in ids]
