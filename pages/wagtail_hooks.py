from wagtail import hooks

from pages.rich_text import PublishedPageLinkHandler


# Runs after Wagtail's own registration (default order 0), so this handler wins.
@hooks.register("register_rich_text_features", order=100)
def register_published_page_links(features):
    features.register_link_type(PublishedPageLinkHandler)
