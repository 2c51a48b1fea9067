"""What an enterprise account may not even look at in the admin.

Wagtail checks permissions well for changes, but some of its views show a title before
they check anything (move confirmation, workflow actions, the cancellation dialog), and
some are open to anyone holding a page permission (reports, bulk-action confirmations,
the admin API's images and documents). For enterprise accounts
(``pages.accounts.is_enterprise_account``) this middleware refuses, before Wagtail's view
runs:

* every page admin URL that names a page outside their own enterprise page(s);
* the reports, the bulk actions, and the admin API's images and documents, none of which
  their work needs;
and drops from the page chooser's "chosen" answer the ids it would not offer them.

The page chooser itself offers them only what the public sees, plus their own pages
(``chooser_pages``). Programme staff and superusers are not affected.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.admin.auth import permission_denied
from wagtail.models import Page

from pages.accounts import enterprises_of, is_enterprise_account
from pages.visibility import published

# The keyword arguments of Wagtail's page URLs that name a page.
PAGE_ARGUMENTS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
REFUSED_PREFIXES = (
    "wagtailadmin_reports:",
    "wagtail_bulk_action",
    "wagtailadmin_api:images:",
    "wagtailadmin_api:documents:",
)
CHOSEN_PAGES = "wagtailadmin_choose_page_chosen_multiple"


def own_pages(user):
    """The account's enterprise pages and anything below them."""
    condition = Q(pk__in=[])
    for enterprise in enterprises_of(user):
        condition |= Q(path__startswith=enterprise.path)
    return Page.objects.filter(condition)


def chooser_pages(pages, user):
    """What the page chooser may list to an enterprise account: public pages without a
    pending draft (the chooser shows draft titles), and its own pages."""
    public = published(pages).filter(has_unpublished_changes=False)
    return pages.filter(Q(pk__in=public.values("pk")) | Q(pk__in=own_pages(user).values("pk")))


class EnterpriseAccountGuard:
    """Refuse enterprise accounts the admin URLs listed in this module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not match.view_name:
            return None
        name = match.view_name
        is_page_url = name.startswith("wagtailadmin_pages:")
        if not (is_page_url or name == CHOSEN_PAGES or name.startswith(REFUSED_PREFIXES)):
            return None
        user = getattr(request, "user", None)
        if user is None or not is_enterprise_account(user):
            return None
        if self.refused(request, name, view_kwargs, user):
            if name.startswith("wagtailadmin_api:"):
                raise PermissionDenied  # a 403 for API clients
            # Wagtail's own refusal: back to the dashboard with «нет доступа».
            return permission_denied(request)
        return None

    @staticmethod
    def refused(request, name, view_kwargs, user) -> bool:
        if name.startswith(REFUSED_PREFIXES):
            return True
        if name.startswith("wagtailadmin_pages:"):
            ids = {view_kwargs[key] for key in PAGE_ARGUMENTS if key in view_kwargs}
            return bool(ids) and own_pages(user).filter(pk__in=ids).count() != len(ids)
        if name == CHOSEN_PAGES:
            # The widget asks for the pages already chosen: answer for those it may offer.
            ids = [
                value for value in request.GET.getlist("id") if value.isascii() and value.isdigit()
            ]
            offered = chooser_pages(Page.objects.filter(pk__in=ids), user)
            request.GET = request.GET.copy()
            request.GET.setlist("id", [str(pk) for pk in offered.values_list("pk", flat=True)])
        return False
