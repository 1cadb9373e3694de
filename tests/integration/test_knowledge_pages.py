"""The knowledge base in the portal, the public help centre (`/help/<slug>`), its rate limits,
and the deflection count (issue 15, slice 6)."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from chalicelib import composition
from chalicelib.domain.limits import MINUTE, Limits, Rate
from chalicelib.domain.tenancy import TenantId
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import PortalSession, fits_a_phone, signed_in

pytestmark = pytest.mark.integration


def published(client, owner, title, body, **extra):
    response = call(
        client,
        "POST",
        "/api/v1/kb/articles",
        {"title": title, "body": body, "language": "en", "status": "published", **extra},
        token=owner["token"],
    )
    assert response.status_code == 201, response.json
    return response.json


def visitor(client) -> PortalSession:
    return PortalSession(client)


def deflection_today(owner, deps):
    from chalicelib.services.knowledge import visits

    today = deps.now().date()
    return visits.deflection(TenantId(owner["tenant_id"]), today, today, deps=deps)[0]


# -- the portal ---------------------------------------------------------------------------------


def test_a_member_writes_previews_publishes_and_deletes_an_article_in_the_portal(client, deps):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    empty = browser.get("/app/knowledge")
    assert empty.status_code == 200 and "No articles yet" in empty.text
    fits_a_phone(empty)

    form = {"title": "Refund policy", "body": "Refunds within **30 days**.", "language": "en", "category": ""}
    preview = browser.post("/app/knowledge/articles", {**form, "action": "preview"})
    assert preview.status_code == 200 and "<strong>30 days</strong>" in preview.text
    assert 'value="Refund policy"' in preview.text  # what was typed stays
    assert "No articles yet" in browser.get("/app/knowledge").text  # a preview saves nothing

    saved = browser.post("/app/knowledge/articles", {**form, "action": "publish"})
    editor = browser.follow(saved)
    assert "Article published" in editor.text
    assert f'href="/help/{owner["slug"]}/articles/refund-policy"' in editor.text
    article_id = re.search(r"/app/knowledge/articles/(\w+)/unpublish", editor.text).group(1)

    # an edit on a stale copy is refused, what was typed kept
    version = re.search(r'name="version" value="(\d+)"', editor.text).group(1)
    browser.post(f"/app/knowledge/articles/{article_id}", {**form, "title": "Refunds", "version": version})
    browser.get(f"/app/knowledge/articles/{article_id}")
    stale = browser.post(
        f"/app/knowledge/articles/{article_id}", {**form, "title": "Lost", "version": version}
    )
    assert stale.status_code == 409 and 'value="Lost"' in stale.text and "There is a problem" in stale.text

    too_big = browser.post(f"/app/knowledge/articles/{article_id}", {**form, "body": "x" * (64 * 1024 + 10)})
    assert too_big.status_code == 413

    # deleting asks first (what will happen, a way back); nothing goes until the confirmation is posted
    browser.get(f"/app/knowledge/articles/{article_id}")
    confirm = browser.post(f"/app/knowledge/articles/{article_id}/delete", {})
    assert confirm.status_code == 200 and "Delete the article" in confirm.text
    assert "leaves your help centre" in confirm.text
    assert browser.get(f"/app/knowledge/articles/{article_id}").status_code == 200
    gone = browser.post(f"/app/knowledge/articles/{article_id}/delete", {"confirm": "yes"})
    assert "deleted" in browser.follow(gone).text
    assert browser.get(f"/app/knowledge/articles/{article_id}").status_code == 404
    assert browser.get(f"/help/{owner['slug']}/articles/refund-policy").status_code == 404


def test_categories_in_the_portal_say_what_went_wrong(client, deps):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    added = browser.post("/app/knowledge/categories", {"name": "Orders"})
    assert "Category added" in browser.follow(added).text
    browser.get("/app/knowledge")
    again = browser.post("/app/knowledge/categories", {"name": "orders"})
    assert again.status_code == 409 and "already a category" in again.text
    browser.get("/app/knowledge")
    removed = browser.post("/app/knowledge/categories/orders/delete", {})
    assert "Category deleted" in browser.follow(removed).text


# -- the public help centre ---------------------------------------------------------------------


def test_the_help_centre_shows_only_this_business_published_articles(client, deps):
    owner, other = business(client, company_name="Acme Widgets"), business(client, company_name="Other Co")
    category = call(client, "POST", "/api/v1/kb/categories", {"name": "Money"}, token=owner["token"]).json
    published(
        client,
        owner,
        "Refund policy",
        "We refund within 30 days. <script>alert(1)</script>",
        category=category["slug"],
    )
    published(client, owner, "Shipping times", "Orders ship in two days.")
    call(
        client,
        "POST",
        "/api/v1/kb/articles",
        {"title": "Secret draft plan", "body": "not yet", "language": "en"},
        token=owner["token"],
    )
    published(client, other, "Other business refund rules", "Theirs, not ours.", slug="other-refunds")

    guest = visitor(client)
    home = guest.get(f"/help/{owner['slug']}")
    assert home.status_code == 200
    assert "Acme Widgets" in home.text and "Refund policy" in home.text and "Shipping times" in home.text
    assert "Money" in home.text
    assert "Secret draft plan" not in home.text and "Other business" not in home.text
    assert f'href="/help/{owner["slug"]}/contact"' in home.text
    fits_a_phone(home)

    found = guest.get(f"/help/{owner['slug']}?q=refunds")
    assert "Refund policy" in found.text and "Other business" not in found.text
    assert "Shipping times" not in found.text.split("results-title")[1].split("</section>")[0]
    nothing = guest.get(f"/help/{owner['slug']}?q=draft+plan")
    assert "No article matches" in nothing.text and "Secret draft plan" not in nothing.text

    page = guest.get(f"/help/{owner['slug']}/articles/refund-policy")
    assert page.status_code == 200 and "We refund within 30 days." in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    fits_a_phone(page)
    assert guest.get(f"/help/{owner['slug']}/categories/{category['slug']}").status_code == 200

    for path in (
        f"/help/{owner['slug']}/articles/secret-draft-plan",  # a draft
        f"/help/{owner['slug']}/articles/other-refunds",  # another business's article
        f"/help/{other['slug']}/articles/refund-policy",  # and the other way round
        f"/help/{other['slug']}/categories/{category['slug']}",
        "/help/no-such-business-here",
        "/help/Not_A_Slug",
        f"/help/{owner['slug']}/articles/..%2Fetc",
    ):
        assert guest.get(path).status_code == 404, path


def test_the_help_centre_speaks_the_language_of_its_articles(client, deps):
    owner = business(client)
    published(client, owner, "Refund policy", "Refunds within 30 days.")
    published(client, owner, "Política de reembolsos", "Reembolsos en 30 días.", language="es")
    guest = visitor(client)
    spanish = guest.get(f"/help/{owner['slug']}?lang=es")
    assert "Política de reembolsos" in spanish.text and "Refund policy" not in spanish.text
    assert "¿Sigues necesitando ayuda?" in spanish.text and 'lang="es"' in spanish.text
    found = guest.get(f"/help/{owner['slug']}?lang=es&q=reembolsar")
    assert "Política de reembolsos" in found.text
    english = guest.get(f"/help/{owner['slug']}?lang=en")
    assert "Refund policy" in english.text and "Still need help?" in english.text


def test_the_help_centre_is_rate_limited_per_address_and_per_business(client, deps):
    owner = business(client)
    published(client, owner, "Refund policy", "Refunds within 30 days.")
    guest = visitor(client)
    composition.override_deps(
        dataclasses.replace(
            deps, limits=dataclasses.replace(Limits.relaxed(), help_search_per_address=Rate(2, MINUTE))
        )
    )
    answers = [guest.get(f"/help/{owner['slug']}?q=refund") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].headers["Retry-After"] == "30" and "Slow down" in answers[-1].text
    assert guest.get(f"/help/{owner['slug']}").status_code == 200  # browsing still works

    composition.override_deps(
        dataclasses.replace(deps, limits=dataclasses.replace(Limits.relaxed(), help_tenant=Rate(3, MINUTE)))
    )
    answers = [guest.get(f"/help/{owner['slug']}") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert business_is_still_reachable(client, owner)


def business_is_still_reachable(client, owner) -> bool:
    # the business's own portal and API do not share the help centre's bucket
    return call(client, "GET", "/api/v1/kb/articles", token=owner["token"]).status_code == 200


# -- deflection ---------------------------------------------------------------------------------


def test_a_visit_that_searches_and_reads_is_deflected_until_it_writes(client, deps):
    from chalicelib.services import knowledge
    from chalicelib.services.knowledge import visits

    owner = business(client)
    published(client, owner, "Refund policy", "Refunds within 30 days.")
    guest = visitor(client)
    guest.get(f"/help/{owner['slug']}?q=refund")
    guest.get(f"/help/{owner['slug']}/articles/refund-policy")
    guest.get(f"/help/{owner['slug']}/articles/refund-policy")  # again: nothing more to count
    day = deflection_today(owner, deps)
    assert (day.visits, day.searched, day.viewed, day.engaged, day.deflected) == (1, 1, 1, 1, 1)
    assert not day.final

    # the contact form (the inquiries' page) reports the visit from its cookie
    visit_id = visits.visit_id_from_cookies(guest.cookies, deps=deps)
    assert visit_id is not None
    tenant = TenantId(owner["tenant_id"])
    knowledge.record_contact_submitted(tenant, visit_id, deps=deps)
    knowledge.record_contact_submitted(tenant, visit_id, deps=deps)  # twice: counted once
    day = deflection_today(owner, deps)
    assert (day.contacted, day.engaged_contacted, day.deflected) == (1, 1, 0)

    # 31 idle minutes later the same browser starts a new visit
    deps.clock.advance(minutes=31)
    guest.get(f"/help/{owner['slug']}?q=refund")
    guest.get(f"/help/{owner['slug']}/articles/refund-policy")
    day = deflection_today(owner, deps)
    assert (day.visits, day.engaged, day.deflected) == (2, 2, 1)
    assert visits.visit_id_from_cookies(guest.cookies, deps=deps) != visit_id

    deps.clock.advance(days=1, hours=5)
    assert deflection_today(owner, deps).final is False  # a new day: nothing yet
    from chalicelib.services.knowledge import visits as v

    yesterday = v.deflection(tenant, deps.now().date() - timedelta(days=1), deps.now().date(), deps=deps)
    assert yesterday[0].final and yesterday[0].deflected == 1


def test_a_made_up_visit_cookie_is_a_new_visit_and_a_contact_without_a_visit_counts_nothing(client, deps):
    from chalicelib.services import knowledge
    from chalicelib.services.knowledge import visits

    owner = business(client)
    published(client, owner, "Refund policy", "Refunds within 30 days.")
    guest = visitor(client)
    guest.cookies["dh_visit"] = "01KAAAAAAAAAAAAAAAAAAAAAAA.forged"
    guest.get(f"/help/{owner['slug']}?q=refund")
    assert visits.visit_id_from_cookies(guest.cookies, deps=deps) != "01KAAAAAAAAAAAAAAAAAAAAAAA"
    knowledge.record_contact_submitted(TenantId(owner["tenant_id"]), None, deps=deps)
    day = deflection_today(owner, deps)
    assert (day.visits, day.contacted) == (1, 0)


def test_the_demo_knowledge_base_gives_the_help_centre_something_to_find(client, deps):
    from chalicelib.services.sessions import authenticate
    from local.demo import _knowledge

    owner = business(client, company_name="Northwind Coffee")
    principal = authenticate(owner["token"], deps=deps, channel="bearer").principal
    _knowledge(principal, deps=deps)
    guest = visitor(client)
    found = guest.get(f"/help/{owner['slug']}?q=refunds")
    assert "How do I get a refund?" in found.text
    home = guest.get(f"/help/{owner['slug']}")
    assert "Orders and refunds" in home.text and "Subscriptions" in home.text
    assert "Holiday gift boxes" not in home.text  # the demo's draft
    portuguese = guest.get(f"/help/{owner['slug']}?lang=pt&q=reembolso")
    assert "Como peço um reembolso?" in portuguese.text
    table = guest.get(f"/help/{owner['slug']}/articles/shipping-times-and-costs")
    assert "<td>2-3 days</td>" in table.text
    fits_a_phone(table)  # the article's table scrolls in its own box


def test_the_business_looking_at_its_own_help_centre_is_no_visit(client, deps):
    owner = business(client)
    published(client, owner, "Refund policy", "Refunds within 30 days.")
    browser = signed_in(client, owner["email"])
    browser.get(f"/help/{owner['slug']}?q=refund")
    browser.get(f"/help/{owner['slug']}/articles/refund-policy")
    assert "dh_visit" not in browser.cookies
    assert deflection_today(owner, deps).visits == 0
    guest = visitor(client)  # a customer's visit still counts
    guest.get(f"/help/{owner['slug']}?q=refund")
    assert deflection_today(owner, deps).visits == 1


def test_a_business_that_turns_its_help_centre_off_has_none(client, deps):
    from chalicelib.services.knowledge import help_centre

    owner = business(client)
    published(client, owner, "Refund policy", "Refunds within 30 days.")
    guest = visitor(client)
    assert guest.get(f"/help/{owner['slug']}").status_code == 200
    shown = call(client, "GET", "/api/v1/support/settings", token=owner["token"]).json
    body = {
        "sla": shown["sla"],
        "reason_tags": shown["reason_tags"],
        "language_level": shown["language_level"],
        "help_page": False,
        "version": shown["version"],
    }
    assert call(client, "PUT", "/api/v1/support/settings", body, token=owner["token"]).status_code == 200
    help_centre.forget_businesses()  # a container's lookup lasts a minute
    for path in (f"/help/{owner['slug']}", f"/help/{owner['slug']}/articles/refund-policy"):
        assert guest.get(path).status_code == 404, path
