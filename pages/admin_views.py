"""Admin views of the pages app: enterprise accounts, and the enterprise's dashboard panel."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem

from pages.accounts import create_enterprise_account
from pages.models import EnterprisePage

MANAGE_ACCOUNTS = "pages.manage_enterprise_accounts"


class EnterpriseAccountForm(forms.Form):
    email = forms.EmailField(
        label="Электронная почта",
        help_text="Это и логин. Сотрудник, уже имеющий учётную запись, просто получит доступ.",
    )
    full_name = forms.CharField(
        label="Имя и фамилия", max_length=150, required=False, help_text="Например, Ирина Орлова."
    )


def create_account_view(request, page_id):
    """Create (or give access to) a login that edits only this enterprise's page and sessions."""
    if not request.user.has_perm(MANAGE_ACCOUNTS):
        raise PermissionDenied
    enterprise = get_object_or_404(EnterprisePage, pk=page_id)
    context = {
        "page_title": "Учётная запись предприятия",
        "page_subtitle": enterprise.title,
        "header_icon": "user",
        "enterprise": enterprise,
        "edit_url": reverse("wagtailadmin_pages:edit", args=(enterprise.pk,)),
        "action_url": request.path,
    }
    form = EnterpriseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, password = create_enterprise_account(
            enterprise, form.cleaned_data["email"], form.cleaned_data["full_name"]
        )
        context.update(account=user, password=password)
        form = EnterpriseAccountForm()  # ready for the next colleague
    context["form"] = form
    return TemplateResponse(request, "pages/admin/enterprise_account.html", context)


class EnterpriseAccountButton(PageMenuItem):
    label = "Учётная запись предприятия"
    icon_name = "user"
    url_name = "pages_enterprise_account"

    def is_shown(self, user):
        # specific_class reads the cached content type: no query per listed page.
        page_class = self.page.specific_class
        return bool(page_class and issubclass(page_class, EnterprisePage)) and user.has_perm(
            MANAGE_ACCOUNTS
        )


MODERATION_STATUS = {
    "in_progress": "правка ждёт проверки редакцией",
    "needs_changes": "редакция просит внести изменения",
}


class MyEnterprisePanel(Component):
    """«Моё предприятие» on an enterprise account's dashboard: its page and what to do next."""

    name = "my_enterprise"
    template_name = "pages/admin/my_enterprise_panel.html"
    order = 50

    def __init__(self, enterprises):
        self.enterprises = enterprises

    def get_context_data(self, parent_context):
        rows = []
        for page in self.enterprises:
            state = page.current_workflow_state
            if state is not None:
                status = MODERATION_STATUS.get(state.status, state.get_status_display())
            elif page.has_unpublished_changes:
                status = "есть неотправленный черновик"
            else:
                status = "опубликовано" if page.live else "не опубликовано"
            rows.append(
                {
                    "page": page,
                    "status": status,
                    "edit_url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                    "sessions_url": reverse("booking_sessions:index")
                    + "?"
                    + urlencode({"enterprise": page.pk}),
                }
            )
        return {"rows": rows}
