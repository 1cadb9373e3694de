"""Help-centre visits and the daily deflection counts (domain/knowledge.py has the rules).

A visit is identified by a first-party cookie that the help-centre pages set: a ULID (its time
part is when the visit started, which names the day partition its item lives in) and an HMAC of
it, so that a visitor cannot make up visits or move one to another day. The cookie holds nothing
else and lives 30 minutes after the last page; no address, agent string or query is stored with
the visit (its item keeps counts and flags, and goes after 90 days by TTL).

Each event (a search, an article opened, the contact form sent) costs one GetItem of the visit
and one write: a plain UpdateItem of its counts when no state changes, or, when the visit reaches
a state for the first time, one transaction of the visit (on condition that its flags are still
the ones read) and the day's counter (ADD). A lost race reads again; so each counter moves exactly
once per visit, whatever the order or the repetition of events."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain import knowledge as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import knowledge as store
from chalicelib.store.knowledge import DeflectionRecord, VisitRecord

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

    from chalicelib.composition import Deps

ATTEMPTS = 3


def cookie_name(is_local: bool) -> str:
    # As the session's: outside local the `__Host-` prefix pins it to this host, path / and HTTPS.
    return "dh_visit" if is_local else "__Host-dh_visit"


def _signature(visit_id: str, secret: bytes) -> str:
    return hmac.new(secret, f"help-visit:{visit_id}".encode(), hashlib.sha256).hexdigest()[:20]


def cookie_value(visit_id: str, *, deps: Deps) -> str:
    return f"{visit_id}.{_signature(visit_id, deps.secret)}"


def visit_id_from_cookies(cookies: dict[str, str], *, deps: Deps) -> str | None:
    """The visit id a request's cookies carry (`web.portal.read_cookies(request)`), or None when
    there is none or it is not one deskhire signed."""
    value = cookies.get(cookie_name(deps.settings.is_local)) or ""
    visit_id, _, signature = value.partition(".")
    if not visit_id or not hmac.compare_digest(signature, _signature(visit_id, deps.secret)):
        return None
    return visit_id if _started(visit_id) is not None else None


def _started(visit_id: str) -> datetime | None:
    from ulid import ULID

    try:
        return ULID.from_str(visit_id).datetime.astimezone(UTC)
    except (ValueError, TypeError):
        return None


def _new_visit_id(now: datetime) -> str:
    from ulid import ULID

    return str(ULID.from_timestamp(now.timestamp()))


def record(
    tenant: TenantId, visit_id: str | None, event: rules.Event, *, deps: Deps, found_nothing: bool = False
) -> str | None:
    """Record `event` in the visit (a new one when `visit_id` is None or that visit is over); the
    visit id to keep in the cookie. A contact form sent without a visit records nothing (None)."""
    if visit_id is None and event is rules.Event.SUBMIT:
        return None
    now = deps.now()
    for _ in range(ATTEMPTS):
        current_id, item = _ongoing(tenant, visit_id, now)
        try:
            _apply(tenant, current_id, item, event, now=now, found_nothing=found_nothing)
            return current_id
        except Conflict:
            continue  # another request of the same visit moved it meanwhile: read it again
    return visit_id


def _ongoing(tenant: TenantId, visit_id: str | None, now: datetime) -> tuple[str, VisitRecord | None]:
    started = _started(visit_id) if visit_id else None
    if visit_id is not None and started is not None and now - started < rules.VISIT_MAX:
        item = store.visit(tenant, started.date(), visit_id)
        if item is None or rules.visit_goes_on(started, item.last_seen, now):
            return visit_id, item
    return _new_visit_id(now), None


def _apply(
    tenant: TenantId,
    visit_id: str,
    item: VisitRecord | None,
    event: rules.Event,
    *,
    now: datetime,
    found_nothing: bool,
) -> None:
    from chalicelib.store.transactions import transaction

    started = _started(visit_id)
    assert started is not None  # made or checked by _ongoing
    before = rules.VisitState.from_flags(item.flags) if item is not None else rules.VisitState()
    after = before.after(event)
    moves = rules.counted(before, after)
    key = VisitRecord(store.visit_pk(tenant, started.date()), visit_id)
    actions: list[Action] = [
        VisitRecord.kind.set(VisitRecord),
        VisitRecord.flags.set(after.flags),
        VisitRecord.started_at.set(VisitRecord.started_at | started),
        VisitRecord.last_seen.set(now),
        VisitRecord.expires_at.set(int((now + rules.VISIT_KEPT).timestamp())),
    ]
    if event is rules.Event.SEARCH:
        actions.append(VisitRecord.searches.add(1))
        if found_nothing:
            actions.append(VisitRecord.empty_searches.add(1))
    elif event is rules.Event.VIEW:
        actions.append(VisitRecord.views.add(1))
    if not moves:
        key.update(actions=actions)
        return
    unchanged = VisitRecord.flags == before.flags if item is not None else VisitRecord.pk.does_not_exist()
    counter = DeflectionRecord(store.deflection_pk(tenant), started.date().isoformat())
    with transaction() as tx:
        tx.update(key, actions=actions, condition=unchanged, on_conflict=Conflict("the visit moved"))
        tx.update(
            counter,
            actions=[DeflectionRecord.kind.set(DeflectionRecord)]
            + [getattr(DeflectionRecord, name).add(n) for name, n in moves.items()],
        )


def deflection(tenant: TenantId, first: date, last: date, *, deps: Deps) -> list[rules.DeflectionDay]:
    """The daily counts from `first` to `last` (UTC days, both included; at most a year), one
    Query; a day without visits is all zeros. `final` says the day's visits can no longer change."""
    if last < first or (last - first).days > 366:
        raise rules.InvalidInput("ask for at most a year of days, the first before the last", field="from")
    now = deps.now()
    found = {item.sk: item for item in store.deflection_days(tenant, first, last)}
    days = []
    day = first
    while day <= last:
        item = found.get(day.isoformat())
        counts = {name: int(getattr(item, name) or 0) for name in rules.COUNTERS} if item else {}
        days.append(rules.DeflectionDay(day=day, final=rules.day_is_final(day, now), **counts))
        day += timedelta(days=1)
    return days
