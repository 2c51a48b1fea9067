from wagtail import hooks

from pages.rich_text import PublishedPageLinkHandler


# Runs after Wagtail's own registration (default order 0), so this handler wins.
@hooks.register("register_rich_text_features", order=100)
def register_published_page_links(features):
    features.register_link_type(PublishedPageLinkHandler)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def keep_enterprise_group_in_step(request, page):
    """A new or renamed enterprise gets its group (and collection) at once."""
    from pages.accounts import ensure_enterprise_group
    from pages.models import EnterprisePage

    if isinstance(page.specific, EnterprisePage):
        ensure_enterprise_group(page.specific)
