"""GraphiQL at /graphql/ works with no CDN: every file it loads comes from this site.

The browser reaches nothing but the live server (tests/browser/conftest.py), so a page
that still needed a CDN would stay blank here. A developer opens GraphiQL, types a query
and its variables, runs it and reads a Russian title in the answer, then finds the field
in the documentation explorer, which GraphiQL builds from introspection.
"""

import base64
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from graphene_django.views import GraphQLView
from playwright.sync_api import expect

from tests import factories

VENDORED = Path(__file__).resolve().parents[2] / "graphql_schema/static/graphql_schema/graphiql"
TITLE = "Мослифт открыл цех для гостей"
QUERY = "query News($first: Int) { newsList(first: $first) { edges { node { title } } } }"


def sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


# Each vendored file, and what its upstream file ends with beyond it (a source-map comment).
UPSTREAM = {
    "react.production.min.js": ("react_sri", b""),
    "react-dom.production.min.js": ("react_dom_sri", b""),
    "graphiql.min.js": ("graphiql_sri", b"\n//# sourceMappingURL=graphiql.min.js.map"),
    "graphiql.min.css": ("graphiql_css_sri", b"\n/*# sourceMappingURL=graphiql.min.css.map*/"),
    "graphql-ws.min.js": ("subscriptions_transport_ws_sri", b""),
    "graphiql-plugin-explorer.umd.js": ("graphiql_plugin_explorer_sri", b""),
    "graphiql-plugin-explorer.css": ("graphiql_plugin_explorer_css_sri", b""),
}


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_vendored_file_is_the_release_graphene_django_is_written_for(name):
    """graphene-django's graphiql.js drives these files: its pinned hashes must match them.

    Fails when an upgrade of graphene-django moves to other versions of React or GraphiQL:
    then the files in graphql_schema/static/graphql_schema/graphiql/ need replacing.
    """
    attribute, stripped_tail = UPSTREAM[name]
    assert sri((VENDORED / name).read_bytes() + stripped_tail) == getattr(GraphQLView, attribute)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_graphiql_runs_a_query_with_nothing_but_this_site(open_window, step, live_app, site_tree):
    factories.NewsPageFactory(parent=site_tree.news_index, title=TITLE)
    browser = open_window("developer")
    origin = urlsplit(live_app.url)
    requested, problems = [], []
    browser.on("request", lambda request: requested.append(request.url))
    browser.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    browser.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # Console errors include refused loads: a 404, a CSP violation, an aborted request.
    browser.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )

    response = browser.goto("/graphql/")
    assert response.ok
    policy = response.headers["content-security-policy"]
    assert "http" not in policy, policy  # no other origin is allowed, only 'self' and data:
    editor = browser.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible()
    step("graphiql open")

    # Typed as a person types; CodeMirror closes brackets itself, so the query is typed
    # without its closing ones and the text is compared without spaces afterwards.
    editor.click()
    browser.keyboard.press("Control+A")
    browser.keyboard.press("Delete")
    browser.keyboard.type(QUERY.rstrip(" }"), delay=5)
    browser.keyboard.press("Escape")  # closes an autocomplete list, if open
    assert squeezed(codemirror_text(browser, ".graphiql-query-editor")) == squeezed(QUERY)

    variables = browser.locator(".graphiql-editor-tool .CodeMirror").first
    expect(variables).to_be_visible()
    variables.click()
    browser.keyboard.type('{"first": 1', delay=5)
    browser.keyboard.press("Escape")
    assert squeezed(codemirror_text(browser, ".graphiql-editor-tool")) == '{"first":1}'
    expect(browser.get_by_role("button", name="Headers")).to_be_visible()

    browser.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result = browser.locator(".graphiql-response")
    expect(result).to_contain_text(TITLE)
    expect(result).to_contain_text('"newsList"')
    step("query answered")

    browser.get_by_role("button", name="Show Documentation Explorer").click()
    docs = browser.locator(".graphiql-doc-explorer")
    docs.get_by_role("link", name="Query").click()
    expect(docs.get_by_role("link", name="newsList", exact=True)).to_be_visible()
    step("docs explorer")

    assert problems == []
    assert step.blocked == []
    elsewhere = [url for url in requested if urlsplit(url).netloc != origin.netloc]
    assert elsewhere == []
    static = [url for url in requested if "/static/" in url]
    assert len(static) == 8, static  # GraphiQL's seven files and graphene-django's script


def codemirror_text(page, container: str) -> str:
    """The text of the first CodeMirror editor in ``container``, as CodeMirror holds it."""
    return page.evaluate(
        "selector => document.querySelector(selector + ' .CodeMirror').CodeMirror.getValue()",
        container,
    )


def squeezed(text: str) -> str:
    return "".join(text.split())
