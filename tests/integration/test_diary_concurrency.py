"""Two overlapping entries for the same agent, on two different businesses' contracts, written at
the same moment from two threads against DynamoDB Local: exactly one is stored, every time."""

import threading
from datetime import timedelta

import pytest

from chalicelib.domain.diary import EntryRejected
from chalicelib.domain.errors import Contended
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.services.diary import entries, writes
from chalicelib.services.sessions import authenticate
from tests.integration.contract_helpers import at, hire
from tests.integration.helpers import business

pytestmark = pytest.mark.integration
ROUNDS = 12


def test_racing_overlapping_entries_store_exactly_one(client, deps, monkeypatch):
    first = hire(client, deps)
    second = hire(client, deps, ops=first["ops"], someone=first["agent"], owner=business(client), now=None)
    agent = authenticate(first["agent"]["token"], deps=deps).principal
    contracts = [first["contract"]["id"], second["contract"]["id"]]
    deps.clock.now = at(28, 23)
    # Count the commits attempted: when both threads of a round get as far as committing, both
    # passed the read-side checks, and only the transaction's conditions kept the second out.
    commits = []
    real_commit = writes.commit

    def counting_commit(*args, **kwargs):
        commits.append(1)
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(writes, "commit", counting_commit)
    outcomes = []
    for round_ in range(ROUNDS):
        start = at(24, 0) + timedelta(minutes=90 * round_)
        # the two spans share 15 minutes; which thread wins differs from round to round
        spans = [
            (start, start + timedelta(minutes=60)),
            (start + timedelta(minutes=45), start + timedelta(minutes=80)),
        ]
        barrier = threading.Barrier(2)
        results = [None, None]

        def write(index, spans=spans, barrier=barrier, results=results):
            barrier.wait()
            try:
                entries.log_time(agent, contracts[index], entries.EntryDraft(*spans[index]), deps=deps)
                results[index] = "stored"
            except EntryRejected as error:
                results[index] = error.code
            except Contended:
                results[index] = "contended"

        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        outcomes.append(tuple(results))
        assert sorted(results) == ["overlap", "stored"], (round_, results)

    stored = []
    for hired in (first, second):
        tenant = TenantId(hired["owner"]["tenant_id"])
        stored += entries.week_entries(tenant, hired["contract"]["id"], BillingWeek(2026, 48))
    assert len(stored) == ROUNDS
    spans = sorted((e.started_at, e.ended_at) for e in stored)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), "two stored entries overlap"
    assert len(commits) > ROUNDS, "no round raced to the commit; the test proved nothing"
