"""The one-off backfills (jobs/backfill_jobs.py): data made as before an index existed (the index's
items deleted, or its attributes removed, after the real services wrote them) is found again by
the feature that reads the index once the job ran; the items come out as the request path writes
them; a second run, or a run after a crash half-way, writes nothing more."""

from __future__ import annotations

import pytest

from chalicelib.jobs import runner
from chalicelib.store import directory, scans
from chalicelib.store.base import Entity
from tests.integration.helpers import business, operator, unique
from tests.integration.portal_helpers import signed_in
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
