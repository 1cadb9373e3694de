"""The business's lists of its inquiries (the open queue, a month's history, a search by number or
by the customer's address) and the agent's workspace lists (their queue across businesses, the
escalations a tier-2 agent may take). Each is one or two requests: a Query of one partition (with
a filter over at most 20 pages of it), or an index item and a BatchGetItem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from chalicelib.composition import Deps
from chalicelib.domain import contracts as terms
from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.services.support import routing
from chalicelib.services.support.inquiries import find_for_system
from chalicelib.store import cursors
from chalicelib.store.contracts import ContractRecord, agent_contracts_index
from chalicelib.store.support import (
    CustomerIndexItem,
    HistoryItem,
    InquiryRecord,
    NumberRecord,
    QueueItem,
    agent_queue_index,
    customer_pk,
    history_key,
    history_pk,
    number_key,
    queue_pk,
)


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    priority: str | None = None
    agent: str | None = None  # an agent id, or "none" for unowned
    reason: str | None = None

    def keep(self, item: QueueItem | HistoryItem) -> bool:
        if self.status and item.status != self.status:
            return False
        if self.priority and item.priority != self.priority:
            return False
        if self.reason and item.reason != self.reason:
            return False
        if self.agent == "none":
            return item.agent_id is None
        return not self.agent or item.agent_id == self.agent


_Item = TypeVar("_Item", QueueItem, HistoryItem)


@dataclass(frozen=True)
class Listed(Generic[_Item]):
    items: list[_Item]
    next_cursor: str | None


def _business(actor: Principal) -> TenantId:
    if actor.kind not in (PrincipalKind.MEMBER, PrincipalKind.API_KEY):
        raise Forbidden("the business lists its inquiries")
    return actor.require_tenant()


def open_queue(
    actor: Principal, filters: Filters, *, limit: int, cursor: str | None, deps: Deps
) -> Listed[QueueItem]:
    """The business's unresolved inquiries, most urgent first, then the soonest due."""
    tenant = _business(actor)
    return _page(
        QueueItem, queue_pk(tenant), filters, limit=limit, cursor=cursor, deps=deps, newest_first=False
    )


def history(
    actor: Principal, month: str | None, filters: Filters, *, limit: int, cursor: str | None, deps: Deps
) -> Listed[HistoryItem]:
    """Every inquiry of a month (resolved ones too), newest first; this month by default."""
    tenant = _business(actor)
    when = deps.now()
    if month:
        try:
            when = datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=when.tzinfo)
        except ValueError:
            raise InvalidInput("a month is written yyyy-mm", field="month") from None
    return _page(
        HistoryItem,
        history_pk(tenant, when),
        filters,
        limit=limit,
        cursor=cursor,
        deps=deps,
        newest_first=True,
    )


def _page(
    model: type[_Item],
    pk: str,
    filters: Filters,
    *,
    limit: int,
    cursor: str | None,
    deps: Deps,
    newest_first: bool,
) -> Listed[_Item]:
    """A page of `pk`'s items that pass `filters`: read in pages of `limit` until `limit` pass or
    the partition ends (at most 20 reads: a filter that keeps few items answers a short page with
    a cursor, never reads a whole partition in one request)."""
    start = cursors.decode(cursor, secret=deps.secret, scope=pk)
    kept: list[_Item] = []
    last = start
    for _round in range(20):
        results = model.query(
            pk, limit=limit, page_size=limit, last_evaluated_key=last, scan_index_forward=not newest_first
        )
        kept += [item for item in results if isinstance(item, model) and filters.keep(item)]
        last = results.last_evaluated_key
        if last is None or len(kept) >= limit:
            break
    return Listed(items=kept, next_cursor=cursors.encode(last, secret=deps.secret))


def by_number(actor: Principal, number: int) -> InquiryRecord | None:
    tenant = _business(actor)
    found = NumberRecord.find(*number_key(tenant, number))
    return find_for_system(tenant, found.inquiry_id) if found else None


def history_item(tenant: TenantId, head: InquiryRecord) -> HistoryItem | None:
    return HistoryItem.find(*history_key(tenant, head.created_at, head.inquiry_id), consistent=True)


def found_by_number(actor: Principal, number: int) -> list[HistoryItem]:
    """The business's inquiry with that number, as its lists show it (none or one)."""
    head = by_number(actor, number)
    item = history_item(actor.require_tenant(), head) if head else None
    return [item] if item else []


def customer_history(actor: Principal, email: str) -> list[HistoryItem]:
    """The customer's inquiries to this business (the last 100), newest first: one Query of the
    customer's index and one BatchGetItem of their history items."""
    from chalicelib.store.base import read_batch

    tenant = _business(actor)
    try:
        address = rules.check_customer_email(email, field="email")
    except InvalidInput:
        return []
    found = CustomerIndexItem.query(customer_pk(tenant, address), scan_index_forward=False, limit=100)
    wanted = [
        history_key(tenant, i.created_at, i.inquiry_id) for i in found if isinstance(i, CustomerIndexItem)
    ]
    batch = read_batch(wanted)
    return [item for key in wanted if (item := batch.get(key, HistoryItem)) is not None]


# -- the agent's workspace ------------------------------------------------------------------------


def my_queue(actor: Principal) -> list[QueueItem]:
    """The agent's unresolved inquiries across businesses, the soonest due first (one Query)."""
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("the workspace is an agent's")
    items = QueueItem.gsi1.query(agent_queue_index(AgentId(actor.id)))
    return [i for i in items if isinstance(i, QueueItem)]


def escalations_for(actor: Principal, *, deps: Deps) -> list[QueueItem]:
    """Escalated inquiries nobody owns, of every business the agent works for at tier 2."""
    from chalicelib.services.contracts import records

    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("the workspace is an agent's")
    now = deps.now()
    tenants = {
        c.tenant_id
        for c in ContractRecord.gsi1.query(agent_contracts_index(AgentId(actor.id)))
        if isinstance(c, ContractRecord)
        and int(c.tier or 1) >= 2
        and records.status_of(c, now) is terms.Status.ACTIVE
    }
    found: list[QueueItem] = []
    for tenant in sorted(tenants):
        found += [i for i in routing.waiting(TenantId(tenant)) if i.status == rules.Status.ESCALATED.value]
    return found
