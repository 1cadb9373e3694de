"""The one-off backfills (jobs/backfill_jobs.py): data made as before an index existed (the index's
items deleted, or its attributes removed, after the real services wrote them) is found again by
the feature that reads the index once the job ran; the items come out as the request path writes
them; a second run, or a run after a crash half-way, writes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.jobs import registry, runner
from chalicelib.store import directory, scans
from chalicelib.store.base import Entity
from chalicelib.store.marketplace import InterviewRecord
from tests.integration.contract_helpers import MONDAY, apply, approved, iso, published_opening
from tests.integration.helpers import business, call, operator, unique
from tests.integration.portal_helpers import signed_in
from tests.integration.test_portal_needs import needs
from tests.integration.test_portal_operators import _names

pytestmark = pytest.mark.integration


def _raw(pk: str, sk: str) -> dict:
    connection = Entity._get_connection()  # pyright: ignore[reportPrivateUsage]
    return connection.get_item(pk, sk, consistent_read=True)["Item"]


def _name_items(tenant_id: str) -> dict[tuple[str, str], dict]:
    return {
        (item.pk, item.sk): _raw(item.pk, item.sk)
        for number in range(scans.SEGMENTS)
        for item in scans.segment(directory.NameIndexItem, number)
        if item.tenant_id == tenant_id
    }


def test_businesses_from_before_the_name_search_are_found_after_the_backfill(
    fresh_table, client, deps, monkeypatch
):
    word = unique("Hl")
    old = [
        business(client, company_name=f"Harbour Lantern {kind} {word}") for kind in ("Tea", "Books", "Café")
    ]
    new = business(client, company_name=f"Harbour Lantern Lamps {word}")
    as_signup_wrote = {shop["tenant_id"]: _name_items(shop["tenant_id"]) for shop in [*old, new]}
    assert all(len(items) == 4 for items in as_signup_wrote.values())
    for shop in old:  # signed up before the directory existed: no name items
        for pk, sk in as_signup_wrote[shop["tenant_id"]]:
            Entity(pk, sk).delete()
    ops = operator(client, deps)
    desk = signed_in(client, ops["email"])
    assert _names(desk.get(f"/admin/businesses?q=harbour+lantern+{word}")) == [
        f"Harbour Lantern Lamps {word}"
    ]

    # the worker dies once it has listed one business: that run fails, the next one finishes
    from chalicelib.services import business_directory

    real, listed = business_directory.list_by_name, []

    def dies_after_one(record):
        if listed:
            raise RuntimeError("the worker died")
        if real(record):
            listed.append(record.name)
            return True
        return False

    monkeypatch.setattr(business_directory, "list_by_name", dies_after_one)
    crashed = runner.run("backfill-business-names", deps=deps)
    monkeypatch.undo()
    assert crashed.planned == scans.SEGMENTS and crashed.failures and len(listed) == 1
    assert sum(len(_name_items(shop["tenant_id"])) == 4 for shop in old) == 1
    second = runner.run("backfill-business-names", deps=deps)
    assert second.failures == [] and second.changed >= 1
    third = runner.run("backfill-business-names", deps=deps)
    assert (third.planned, third.changed, third.failures) == (scans.SEGMENTS, 0, [])

    # every business has exactly the items its signup would have written, and the search finds it
    for shop in [*old, new]:
        assert _name_items(shop["tenant_id"]) == as_signup_wrote[shop["tenant_id"]]
    found = _names(desk.get(f"/admin/businesses?q=harbour+lantern+{word}"))
    assert sorted(found) == sorted(f"Harbour Lantern {k} {word}" for k in ("Tea", "Books", "Café", "Lamps"))
    assert _names(desk.get(f"/admin/businesses?q=cafe+{word}")) == [f"Harbour Lantern Café {word}"]


INDEXED = ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "opening_title", "agent_name", "business_name")


def test_interviews_from_before_the_action_lists_are_listed_after_the_backfill(fresh_table, client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    owner = business(client)
    opening = published_opening(client, owner, seats=2)
    first, second = approved(client, ops), approved(client, ops)
    slots = [MONDAY + timedelta(days=2, hours=6), MONDAY + timedelta(days=3, hours=6)]
    proposed = {}
    for someone in (first, second):
        application = apply(client, someone, opening)
        answer = call(
            client,
            "POST",
            f"/api/v1/applications/{application['id']}/interviews",
            {"slots": [iso(s) for s in slots], "duration_minutes": 30},
            token=owner["token"],
        )
        assert answer.status_code == 201, answer.json
        proposed[someone["id"]] = (application["id"], answer.json["id"])
    second_app, second_interview = proposed[second["id"]]
    booked = call(
        client,
        "POST",
        f"/api/v1/applications/{second_app}/interviews/{second_interview}/book",
        {"slot": iso(slots[1])},
        token=second["token"],
    )
    assert booked.status_code == 200, booked.json

    # as the interviews were before the index: neither the index keys nor the names
    records = [r for n in range(scans.SEGMENTS) for r in scans.segment(InterviewRecord, n)]
    assert len(records) == 2
    as_written = {r.interview_id: _raw(r.pk, r.sk) for r in records}
    for record in records:
        record.update(actions=[getattr(InterviewRecord, name).remove() for name in INDEXED])
    shop = signed_in(client, owner["email"])
    assert "Interviews" not in needs(shop.get("/app"))
    assert "Interviews" not in needs(signed_in(client, first["email"]).get("/agent"))

    job = registry.load()["backfill-interviews"]
    assert not job.scheduled
    once = runner.run("backfill-interviews", deps=deps)
    assert once.failures == [] and once.changed >= 1
    twice = runner.run("backfill-interviews", deps=deps)
    assert (twice.planned, twice.changed, twice.failures) == (scans.SEGMENTS, 0, [])
    for record in records:
        after = _raw(record.pk, record.sk)
        assert after == as_written[record.interview_id]  # what propose and book wrote, to the byte

    first_app, _ = proposed[first["id"]]
    count, hrefs = needs(shop.get("/app"))["Interviews"]
    assert count == 2 and sorted(hrefs) == sorted(f"/app/applications/{a}" for a in (first_app, second_app))
    agent_home = signed_in(client, first["email"]).get("/agent")
    assert needs(agent_home)["Interviews"] == (1, [f"/agent/applications/{first_app}"])
    assert "Pick a slot" in agent_home.text
    assert "Interviews" in needs(signed_in(client, second["email"]).get("/agent"))
