"""A stand-in for the front end's preview page, for development without a front end.

``make run`` points PREVIEW_URL here, so the admin's preview button shows something
useful on a laptop. It is an ordinary GraphQL client of ``preview(token)``: what it
shows is exactly what a real front end would get. Production sets PREVIEW_URL to the
front end and leaves DEV_PREVIEW_ENABLED off.
"""

from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse

from graphql_schema.schema import schema

PREVIEW_QUERY = """
query Preview($token: String!) {
  preview(token: $token) {
    type: __typename title url
    ... on News { lead heroImage { url alt } body { ...Blocks } }
    ... on Enterprise { shortDescription body { ...Blocks } }
    ... on VideoSeries { description episodes { number title } }
  }
}
fragment Blocks on StreamBlock {
  type: __typename
  ... on ParagraphBlock { html }
  ... on HeadingBlock { text }
  ... on QuoteBlock { text speakerName speakerPosition }
  ... on ImageBlock { image { url alt } caption }
  ... on KeyFigureBlock { value label }
}
"""


def dev_preview(request):
    """Render the draft behind ``?token=`` the way a minimal front end would."""
    if not settings.DEV_PREVIEW_ENABLED:
        raise Http404
    token = request.GET.get("token", "")
    result = schema.execute(PREVIEW_QUERY, variable_values={"token": token}, context_value=request)
    page = (result.data or {}).get("preview") if not result.errors else None
    status = 200 if page else 404
    return TemplateResponse(request, "cms/dev_preview.html", {"page": page}, status=status)
