"""The knowledge base on the JSON API (issue 15, slice 6): articles and categories, validation and
sanitising, the search index rebuilt on publish, BM25 search with stemming, and isolation."""

from __future__ import annotations

import pytest

from tests.integration.helpers import business, call

pytestmark = pytest.mark.integration


def article(client, owner, **overrides):
    body = {
        "title": "How refunds work",
        "body": "We refund an order within **30 days** of delivery.",
        "language": "en",
        **overrides,
    }
    response = call(client, "POST", "/api/v1/kb/articles", body, token=owner["token"])
    assert response.status_code == 201, response.json
    return response.json


def search(client, caller, q, **params):
    query = "&".join([f"q={q}"] + [f"{k}={v}" for k, v in params.items()])
    response = call(client, "GET", f"/api/v1/kb/search?{query}", token=caller["token"])
    assert response.status_code == 200, response.json
    return [r["title"] for r in response.json["results"]]


def test_an_article_is_written_as_a_draft_rendered_and_audited(client, deps):
    owner = business(client)
    made = article(client, owner)
    assert made["status"] == "draft"
    assert made["slug"] == "how-refunds-work"
    assert made["version"] == 1
    assert "<strong>30 days</strong>" in made["html"]
    assert made["public_path"] is None  # a draft is nowhere public
    listed = call(client, "GET", "/api/v1/kb/articles", token=owner["token"]).json["articles"]
    assert [a["id"] for a in listed] == [made["id"]]
    audit = call(client, "GET", "/api/v1/audit-log", token=owner["token"]).json["entries"]
    assert any(
        e["action"] == "kb_article.created" and e["target"] == f"kb_article:{made['id']}" for e in audit
    )


def test_html_in_markdown_is_sanitised(client, deps):
    owner = business(client)
    nasty = (
        "<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.com)\n\n"
        '<img src=x onerror="alert(1)"> <a href="https://e.example" onclick="steal()">raw</a>\n\n'
        "<iframe src=https://evil.example></iframe>"
    )
    html = article(client, owner, body=nasty)["html"]
    elements = tags_in(html)
    assert {tag for tag, _ in elements} <= {"p", "a"}, elements
    assert (
        elements.count(("a", (("href", "https://example.com"), ("rel", "noopener noreferrer nofollow")))) == 1
    )
    assert all(not name.startswith("on") for _, attrs in elements for name, _ in attrs)
    # what was not allowed is shown as text, escaped
    assert "&lt;script&gt;" in html and "&lt;iframe" in html


def test_the_sanitiser_holds_on_its_own_for_raw_html():
    """Defence in depth: even HTML that reached the sanitiser as markup (not through the renderer)
    keeps no script, handler, frame, image or dangerous link."""
    from chalicelib.adapters.markdown import sanitise

    raw = (
        '<p onclick="x()">hi <script>alert(1)</script><a href="javascript:alert(1)">j</a>'
        '<a href="data:text/html;base64,AAAA">d</a><a href="JaVaScRiPt:alert(1)">J</a>'
        '<img src="data:image/png;base64,AAAA" onerror="x()"><iframe src="https://e.example"></iframe>'
        '<style>p{}</style><a href="https://ok.example" target="_blank" style="x">ok</a></p>'
    )
    elements = tags_in(sanitise(raw))
    assert {tag for tag, _ in elements} == {"p", "a"}
    hrefs = [dict(attrs).get("href") for tag, attrs in elements if tag == "a"]
    assert hrefs == [None, None, None, "https://ok.example"]
    assert all(name in ("href", "rel") for _, attrs in elements for name, _ in attrs)


def tags_in(html: str) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, tuple(attrs)))

    Collect().feed(html)
    return found


def test_bad_input_is_refused_with_its_field(client, deps):
    owner = business(client)
    cases = [
        ({"title": "", "body": "x", "language": "en"}, 400, "title"),
        ({"title": "T", "body": "x", "language": "xx"}, 400, "language"),
        ({"title": "T", "body": "x", "language": "en", "slug": "Not A Slug"}, 400, "slug"),
        ({"title": "T", "body": "x", "language": "en", "slug": "-edge"}, 400, "slug"),
        ({"title": "T", "body": "x", "language": "en", "category": "no-such"}, 400, "category"),
        ({"title": "T", "body": "x", "language": "en", "tenant_id": "x"}, 400, "tenant_id"),
        ({"title": "T", "body": "x" * (64 * 1024 + 1), "language": "en"}, 413, "body"),
        ({"title": "一二三", "body": "x", "language": "ja"}, 400, "slug"),  # no Latin letter: ask for one
    ]
    for body, status, field in cases:
        response = call(client, "POST", "/api/v1/kb/articles", body, token=owner["token"])
        assert response.status_code == status, (body.get("title"), response.json)
        assert response.json["error"]["field"] == field, response.json
    assert call(client, "GET", "/api/v1/kb/articles", token=owner["token"]).json["articles"] == []


def test_slugs_are_unique_per_business_not_across(client, deps):
    owner, other = business(client), business(client)
    article(client, owner, slug="refunds")
    again = call(
        client,
        "POST",
        "/api/v1/kb/articles",
        {"title": "X", "body": "y", "language": "en", "slug": "refunds"},
        token=owner["token"],
    )
    assert again.status_code == 409 and again.json["error"]["field"] == "slug"
    article(client, other, slug="refunds")  # another business may use the same address


def test_revising_a_stale_copy_is_a_conflict_and_a_slug_moves_with_its_claim(client, deps):
    owner = business(client)
    made = article(client, owner)
    path = f"/api/v1/kb/articles/{made['id']}"
    revised = call(client, "PATCH", path, {"slug": "refund-policy", "version": 1}, token=owner["token"])
    assert revised.status_code == 200 and revised.json["version"] == 2
    stale = call(client, "PATCH", path, {"title": "Lost update", "version": 1}, token=owner["token"])
    assert stale.status_code == 409
    # the old address is free again, the new one taken
    article(client, owner, title="Another", slug="how-refunds-work")
    taken = call(
        client,
        "POST",
        "/api/v1/kb/articles",
        {"title": "Y", "body": "y", "language": "en", "slug": "refund-policy"},
        token=owner["token"],
    )
    assert taken.status_code == 409


def test_publish_search_unpublish_delete(client, deps):
    owner = business(client)
    made = article(client, owner, title="Refund policy", body="Money back within 30 days.")
    assert search(client, owner, "refunds") == []  # a draft is not searched
    published = call(client, "POST", f"/api/v1/kb/articles/{made['id']}/publish", token=owner["token"]).json
    assert published["status"] == "published"
    assert published["public_path"] == f"/help/{owner['slug']}/articles/refund-policy"
    assert search(client, owner, "refunds") == ["Refund policy"]  # stemmed: refunds -> refund
    call(client, "POST", f"/api/v1/kb/articles/{made['id']}/unpublish", token=owner["token"])
    assert search(client, owner, "refunds") == []
    call(client, "POST", f"/api/v1/kb/articles/{made['id']}/publish", token=owner["token"])
    call(client, "PATCH", f"/api/v1/kb/articles/{made['id']}", {"title": "Returns"}, token=owner["token"])
    assert search(client, owner, "returned") == ["Returns"]  # an edit reaches the index at once
    assert (
        call(client, "DELETE", f"/api/v1/kb/articles/{made['id']}", token=owner["token"]).status_code == 204
    )
    assert search(client, owner, "returns") == []
    assert call(client, "GET", f"/api/v1/kb/articles/{made['id']}", token=owner["token"]).status_code == 404


def test_search_quality_on_a_small_corpus_with_stemming_per_language(client, deps):
    owner = business(client)
    corpus = [
        ("Refund policy", "You can ask for a refund within 30 days. Refunds go back to your card.", "en"),
        ("Shipping times", "Orders ship within two days; delivery takes three to five days.", "en"),
        ("Changing your password", "Open settings, choose security and set a new password.", "en"),
        ("Cancelling a subscription", "You may cancel your plan at any time from billing.", "en"),
        ("Política de reembolsos", "Puede pedir un reembolso en los 30 días siguientes a la entrega.", "es"),
        ("Envíos", "Los pedidos se envían en dos días.", "es"),
    ]
    for title, body, language in corpus:
        article(client, owner, title=title, body=body, language=language, status="published")
    assert search(client, owner, "refunded")[0] == "Refund policy"
    assert search(client, owner, "passwords")[0] == "Changing your password"
    assert search(client, owner, "cancelled subscriptions")[0] == "Cancelling a subscription"
    assert search(client, owner, "delivering orders", language="en")[0] == "Shipping times"
    assert search(client, owner, "reembolso", language="es") == ["Política de reembolsos"]
    assert search(client, owner, "reembolsos", language="es") == ["Política de reembolsos"]
    assert search(client, owner, "the and of") == []  # nothing to find in no words
    # an API key searches too; the caller's business only
    key = call(client, "POST", "/api/v1/api-keys", {"name": "widget"}, token=owner["token"]).json["secret"]
    assert search(client, {"token": key}, "refund")[0] == "Refund policy"
    stranger = business(client)
    assert search(client, stranger, "refund") == []


def test_a_search_reads_a_fixed_number_of_items_and_the_cache_follows_the_version(client, deps):
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services.knowledge import index
    from chalicelib.services.knowledge import search as kb_search
    from tests.integration.knowledge_helpers import RequestCounter

    owner = business(client)
    made = article(client, owner, title="Refund policy", status="published")
    tenant = TenantId(owner["tenant_id"])
    with index.cold_cache():
        with RequestCounter() as cold:
            assert [r.title for r in kb_search.find(tenant, "refund")] == ["Refund policy"]
        with RequestCounter() as warm:
            kb_search.find(tenant, "refund")
    assert cold.by_operation == {"GetItem": 1, "Query": 1}
    assert warm.by_operation == {"GetItem": 1}
    call(client, "PATCH", f"/api/v1/kb/articles/{made['id']}", {"title": "Money back"}, token=owner["token"])
    # a new version: the next search brings the new index in, whatever this container cached
    assert [r.title for r in kb_search.find(tenant, "money")] == ["Money back"]


def test_categories_count_their_articles_and_only_an_empty_one_goes(client, deps):
    owner = business(client)
    made = call(client, "POST", "/api/v1/kb/categories", {"name": "Billing & payments"}, token=owner["token"])
    assert made.status_code == 201 and made.json["slug"] == "billing-payments"
    dup = call(client, "POST", "/api/v1/kb/categories", {"name": "Billing & Payments"}, token=owner["token"])
    assert dup.status_code == 409
    filed = article(client, owner, category="billing-payments")
    listed = call(client, "GET", "/api/v1/kb/categories", token=owner["token"]).json["categories"]
    assert listed == [{"slug": "billing-payments", "name": "Billing & payments", "article_count": 1}]
    refused = call(client, "DELETE", "/api/v1/kb/categories/billing-payments", token=owner["token"])
    assert refused.status_code == 409 and refused.json["error"]["code"] == "category_in_use"
    call(client, "PATCH", f"/api/v1/kb/articles/{filed['id']}", {"category": ""}, token=owner["token"])
    assert (
        call(client, "DELETE", "/api/v1/kb/categories/billing-payments", token=owner["token"]).status_code
        == 204
    )
    assert call(client, "GET", "/api/v1/kb/categories", token=owner["token"]).json["categories"] == []


def test_another_business_gets_404_for_an_article_and_an_agent_403(client, deps):
    from tests.integration.helpers import agent

    owner, other = business(client), business(client)
    made = article(client, owner, status="published")
    path = f"/api/v1/kb/articles/{made['id']}"
    for method, body in (("GET", None), ("PATCH", {"title": "Hijacked"}), ("DELETE", None)):
        assert call(client, method, path, body, token=other["token"]).status_code == 404
    for action in ("publish", "unpublish"):
        assert call(client, "POST", f"{path}/{action}", token=other["token"]).status_code == 404
    someone = agent(client)
    assert call(client, "GET", "/api/v1/kb/articles", token=someone["token"]).status_code == 403
    assert call(client, "GET", path, token=owner["token"]).json["title"] == made["title"]


def test_suggestions_for_the_agent_workspace(client, deps):
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services import knowledge

    owner = business(client)
    article(client, owner, title="Refund policy", body="Refunds within 30 days.", status="published")
    article(
        client,
        owner,
        title="Política de reembolsos",
        body="Reembolsos en 30 días.",
        language="es",
        status="published",
    )
    article(client, owner, title="Refund drafts", body="Refunds, unpublished.")
    tenant = TenantId(owner["tenant_id"])
    [first] = knowledge.suggest(tenant, "Hi, I want my money refunded for order 1042", "en", limit=5)
    assert (first.title, first.language) == ("Refund policy", "en")
    assert first.path == f"/help/{owner['slug']}/articles/refund-policy" and first.excerpt
    assert [s.title for s in knowledge.suggest(tenant, "quiero un reembolso", "es")] == [
        "Política de reembolsos"
    ]
    # no article in that language: every language is searched
    assert [s.title for s in knowledge.suggest(tenant, "refund", "de")] == ["Refund policy"]
    assert knowledge.suggest(tenant, "   ", "en") == []
    assert knowledge.suggest(TenantId(business(client)["tenant_id"]), "refund", "en") == []
