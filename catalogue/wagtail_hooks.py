"""Reference data in the admin, grouped under one «Справочники» menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from catalogue.models import Award, District, EventFormat, Industry, Season


class IndustryViewSet(SnippetViewSet):
    model = Industry
    icon = "cogs"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class DistrictViewSet(SnippetViewSet):
    model = District
    icon = "site"
    list_display = ["name", "abbreviation", "slug"]
    search_fields = ["name", "abbreviation"]


class EventFormatViewSet(SnippetViewSet):
    model = EventFormat
    icon = "tag"
    list_display = ["name", "is_online", "sort_order"]
    list_filter = ["is_online"]


class SeasonViewSet(SnippetViewSet):
    model = Season
    icon = "date"
    list_display = ["name", "kind", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["name"]
    ordering = ["-start_date"]


class AwardViewSet(SnippetViewSet):
    model = Award
    icon = "trophy"
    list_display = ["title", "nomination", "place", "date", "live"]
    list_filter = ["live"]
    search_fields = ["title", "nomination", "organiser"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    menu_label = "Справочники"
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (IndustryViewSet, DistrictViewSet, EventFormatViewSet, SeasonViewSet, AwardViewSet)


register_snippet(CatalogueViewSetGroup)
