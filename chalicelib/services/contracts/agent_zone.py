"""The agent's zone on their contracts follows the agent (issue 14, item 8).

A contract keeps the zone its agent reads times in (`agent_time_zone`, set from the profile when
the offer is made): the refusals, the timesheet and diary API's local times and the dispute page
read it there, with no read of the profile (services/zones.py `of_party`). It is only ever a
reader's zone: nothing of the contract's schedule is in it (its dates are in the business's zone,
its coverage carries its own; docs/contracts.md). So when the agent moves, their contracts move
with them: `follow` runs after every profile save and writes the profile's zone on each contract
whose zone differs.

- Every contract: found by the agent's links (`A#<agent>`, `CONTRACT#<id>`, a consistent Query)
  and read by one consistent BatchGetItem per 100, so that an offer committed just before the
  save is seen. An ended contract moves too: its last timesheets and disputes are still read.
- Written in transactions of up to 99 contracts, each with a condition check that the profile
  still says this zone: a later change that has already moved on stops an older one from writing
  its zone over the newer (the later save writes its own). Each write is the same whatever the
  contracts held, so a run that stopped half-way (a failure, a contended item) is finished by the
  next profile save; bounded by the agent's contracts, a handful at a time.
- An offer made while the agent changes zone cannot keep the old one: the offer's transaction
  checks that the agent's zone is still the one it read (`check_unmoved`), and `follow` runs
  after the profile is saved."""

from __future__ import annotations

from chalicelib.domain.errors import Conflict, Contended
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys
from chalicelib.store.contracts import ContractLink, ContractRecord, contract_key
from chalicelib.store.identity import AgentRecord
from chalicelib.store.transactions import MAX_ACTIONS, Transaction, transaction

# The contracts one transaction moves: the rest of its actions, beside the profile's check. A
# contract item is a few KB (its note at most 2,000 characters, a few hundred bytes per term,
# amendment and pause), so 99 of them stay far below the 4 MB a transaction may carry.
PER_TRANSACTION = MAX_ACTIONS - 1
TRIES = 3


def behind(agent: AgentId, zone: str) -> list[ContractRecord]:
    """The agent's contracts whose zone is not `zone`, read consistently."""
    links = ContractLink.query(
        keys.agent_pk(agent), ContractLink.sk.startswith("CONTRACT#"), consistent_read=True
    )
    wanted = [
        contract_key(TenantId(link.tenant_id), link.sk.removeprefix("CONTRACT#"))
        for link in links
        if isinstance(link, ContractLink)
    ]
    found: list[ContractRecord] = []
    for start in range(0, len(wanted), 100):
        found += ContractRecord.batch_get(wanted[start : start + 100], consistent_read=True)
    return [c for c in found if c.agent_id == agent.value and c.agent_time_zone != zone]


def follow(agent: AgentId, zone: str) -> int:
    """Write `zone`, the agent's profile zone now, on their contracts that say another; the number
    written. Stops, writing nothing more, once the profile says another zone (a later change)."""
    moved = 0
    for _ in range(TRIES):
        pending = behind(agent, zone)
        try:
            for start in range(0, len(pending), PER_TRANSACTION):
                chunk = pending[start : start + PER_TRANSACTION]
                _move(agent, zone, chunk)
                moved += len(chunk)
            return moved
        except Contended:
            continue  # another write held a contract at that moment: read again, write what is left
        except Conflict:
            return moved  # the agent changed zone again since: that change moves the contracts
    return moved


def check_unmoved(tx: Transaction, agent: AgentRecord) -> None:
    """In the transaction that writes a new contract with `agent`'s zone: the profile still says
    that zone (else `follow`, run once the profile was saved, may have missed the contract)."""
    tx.condition_check(
        AgentRecord,
        agent.pk,
        agent.sk,
        condition=AgentRecord.time_zone == agent.time_zone,
        on_conflict=Conflict(
            "the agent changed their time zone just now; send the offer again", code="stale_or_duplicate"
        ),
    )


def _move(agent: AgentId, zone: str, contracts: list[ContractRecord]) -> None:
    with transaction() as tx:
        tx.condition_check(
            AgentRecord, keys.agent_pk(agent), "AGENT", condition=AgentRecord.time_zone == zone
        )
        for contract in contracts:
            tx.update(
                contract,
                actions=[ContractRecord.agent_time_zone.set(zone)],
                condition=ContractRecord.agent_id == agent.value,
                add_version_condition=False,
            )
