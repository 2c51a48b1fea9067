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


@hooks.register("register_admin_urls")
def register_enterprise_account_url():
    from django.urls import path

    from pages.admin_views import create_account_view

    return [
        path(
            "enterprise-accounts/<int:page_id>/",
            create_account_view,
            name="pages_enterprise_account",
        )
    ]


@hooks.register("register_page_header_buttons")
@hooks.register("register_page_listing_more_buttons")
def enterprise_account_button(page, user, *args, **kwargs):
    from pages.admin_views import EnterpriseAccountButton

    yield EnterpriseAccountButton(page=page, priority=80)


@hooks.register("construct_homepage_panels")
def add_my_enterprise_panel(request, panels):
    """An enterprise account lands on its own page, its moderation state and sessions."""
    from pages.accounts import enterprises_of
    from pages.admin_views import MyEnterprisePanel

    enterprises = list(enterprises_of(request.user))
    if enterprises:
        panels.append(MyEnterprisePanel(enterprises))


@hooks.register("construct_page_chooser_queryset")
def offer_enterprises_only_public_pages(pages, request):
    """Enterprise accounts link to public pages and their own, never to others' drafts."""
    from pages.accounts import is_enterprise_account
    from pages.admin_guard import chooser_pages

    if is_enterprise_account(request.user):
        return chooser_pages(pages, request.user)
    return pages


@hooks.register("construct_reports_menu")
def hide_reports_from_enterprises(request, menu_items):
    """Reports cover the whole site; enterprise accounts are refused them (admin_guard)."""
    from pages.accounts import is_enterprise_account

    if is_enterprise_account(request.user):
        menu_items[:] = []
