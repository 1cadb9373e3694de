"""Operators find a business and see what stops agents' money (issue 14, item 13): a search by
name, slug or an email of the team; the business's page; transfers Stripe refused and money
waiting for agents' payouts, each with what to do in plain words."""

from __future__ import annotations

import re

import pytest

from chalicelib.jobs import runner
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import sign_in
from tests.integration.helpers import agent, business, operator, unique
from tests.integration.portal_helpers import fits_a_phone, signed_in

pytestmark = pytest.mark.integration


def _names(page) -> list[str]:
    return re.findall(r'<a href="/admin/businesses/[0-9A-Z]+">([^<]+)</a>', page.text)


def test_an_operator_finds_a_business_by_name_slug_and_email(client, deps):
    word = unique("Zq")  # a word no other test's business has
    cup = business(client, company_name=f"The Cozy Cúp {word}")
    other = business(client, company_name=f"Cozy Corner {word}")
    ops = operator(client, deps)
    desk = signed_in(client, ops["email"])

    home = desk.get("/admin")
    assert 'action="/admin/businesses"' in home.text  # the search box is on the operators' pages
    assert 'action="/admin/businesses"' in desk.get("/admin/payouts").text

    # by the start of any word of the name, accents and case aside; every word must match
    both = desk.get(f"/admin/businesses?q=cozy+{word.lower()}")
    assert both.status_code == 200
    assert sorted(_names(both)) == sorted([f"Cozy Corner {word}", f"The Cozy Cúp {word}"])
    only = desk.get(f"/admin/businesses?q=CUP+{word[:-2]}")
    assert _names(only) == [f"The Cozy Cúp {word}"]
    fits_a_phone(only)
    # by its address (slug), whole
    by_slug = desk.get(f"/admin/businesses?q={cup['slug']}")
    assert _names(by_slug) == [f"The Cozy Cúp {word}"] and "its address" in by_slug.text
    # by an email of its team
    by_email = desk.get(f"/admin/businesses?q={other['email'].upper()}")
    assert _names(by_email) == [f"Cozy Corner {word}"] and "a team member&#39;s email" in by_email.text

    # not found, said plainly
    nothing = desk.get(f"/admin/businesses?q=nomatch{word}")
    assert nothing.status_code == 200 and _names(nothing) == []
    assert "No business has that name, address or team email" in nothing.text
    assert _names(desk.get(f"/admin/businesses?q=nobody-{word.lower()}@example.com")) == []
    someone = agent(client)
    theirs = desk.get(f"/admin/businesses?q={someone['email']}")
    assert _names(theirs) == [] and "is an agent&#39;s email, not a business&#39;s" in theirs.text
    half = desk.get("/admin/businesses?q=owner@")
    assert half.status_code == 400 and "Write a whole email address" in half.text
    assert 'id="error-summary"' in half.text

    # the business's page: its owners, how it pays (with the way to change it), invoices, disputes
    page = desk.get(f"/admin/businesses/{cup['tenant_id']}")
    assert page.status_code == 200 and f"The Cozy Cúp {word}" in page.text
    assert cup["email"] in page.text and "Charged to the card on file (no card yet)" in page.text
    assert f'href="/admin/payouts?tenant={cup["tenant_id"]}#collection"' in page.text
    assert "No invoice yet" in page.text and "No dispute of this business" in page.text
    fits_a_phone(page)
    assert desk.get("/admin/businesses/NOPE0000000000000000000000").status_code == 404


def test_only_operators_search_businesses(client, deps):
    shop = business(client, company_name="Private Shop")
    owner = signed_in(client, shop["email"])
    assert owner.get("/admin/businesses?q=private").status_code == 403
    assert owner.get(f"/admin/businesses/{shop['tenant_id']}").status_code == 403
    someone = agent(client)
    desk = signed_in(client, someone["email"])
    assert desk.get("/admin/businesses?q=private").status_code == 403
    assert desk.get(f"/admin/businesses/{shop['tenant_id']}").status_code == 403


def test_the_payouts_page_lists_money_waiting_and_transfers_refused(client, paying):
    hired = worked_week(client, paying)  # 3 hours at 25.00 USD
    paying.add_card(hired["owner"])
    runner.run("bill-week", deps=paying.deps)
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)  # the agent has no payouts: it waits
    ops = operator(client, paying.deps)
    desk = signed_in(client, ops["email"])
    page = desk.get("/admin/payouts")
    waiting = page.text[page.text.index('id="payouts-not-enabled"') :]
    assert "69.00 USD" in waiting and "has not set up payouts yet" in waiting
    assert "they open Payouts in their portal" in waiting
    assert "Stripe refused no transfer" in page.text
    assert "make " not in page.text and "<code>" not in page.text  # no command lines
    fits_a_phone(page)

    # payouts enabled, then Stripe turns the account's transfers off without deskhire hearing of it
    sign_in(client, hired["agent"])  # bearer tokens last a day; the clock is at payout day
    account = paying.enable_payouts(hired["agent"], country="US")
    from local.stripe_emulator.resources import connect

    paying.emulator._control(
        lambda ctx: connect.get_account(ctx, account["id"])["capabilities"].update(transfers="inactive")
    )
    refused_run = runner.run("settle-payouts", deps=paying.deps)
    assert refused_run.failures == []  # recorded on the transfer, not a crash of the run
    page = desk.get("/admin/payouts")
    refused = page.text[
        page.text.index('id="transfers-refused"') : page.text.index('id="payouts-not-enabled"')
    ]
    assert "69.00 USD" in refused and "cannot receive transfers now" in refused
    assert "finish what Stripe asks for" in refused and account["id"] in refused
    assert "No agent has money waiting" in page.text

    # Stripe turns them back on: the next run sends it and the page is clear
    paying.emulator._control(
        lambda ctx: connect.get_account(ctx, account["id"])["capabilities"].update(transfers="active")
    )
    runner.run("settle-payouts", deps=paying.deps)
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1
    page = desk.get("/admin/payouts")
    assert "Stripe refused no transfer" in page.text and "No agent has money waiting" in page.text


def test_a_rename_moves_the_business_in_the_directory(client, deps):
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.store import directory
    from chalicelib.store.transactions import transaction

    word = unique("Rn").lower()
    shop = business(client, company_name=f"Old Mill {word}")
    assert [i.tenant_id for i in directory.search(f"mill {word}")] == [shop["tenant_id"]]
    with transaction() as tx:
        directory.rename(
            tx, TenantId(shop["tenant_id"]), old=f"Old Mill {word}", new=f"New Mill {word}", slug=shop["slug"]
        )
    assert directory.search(f"old {word}") == []
    (found,) = directory.search(f"new mill {word}")
    assert (found.tenant_id, found.name) == (shop["tenant_id"], f"New Mill {word}")
    assert [i.name for i in directory.search(f"mill {word}")] == [f"New Mill {word}"]
