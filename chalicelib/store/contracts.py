"""Contract items: the contract (an offer until accepted), its work diary, its weekly timesheets
and disputes; and, on the agent's side, the diary days and the clock that keep an agent from
billing two clients for the same minute.

    T#<tenant>                     CONTRACT#<id>      the contract (GSI1 A#<agent>#CONTRACTS, <id>)
    T#<tenant>                     WEEK#<week>        which contracts had time that week (GSI2
                                                      WEEKS#<week>#<shard>: the jobs' fan-out)
    T#<tenant>#CONTRACT#<id>       ENTRY#<entry>      a diary entry (GSI1 A#<agent>#ENTRIES, <start>)
    T#<tenant>#CONTRACT#<id>       WEEK#<week>        the week's timesheet: its minutes and review
    T#<tenant>#CONTRACT#<id>       DISPUTE#<entry>    a dispute over one entry (GSI2 DISPUTES#queue)
    A#<agent>                      CONTRACT#<id>      the agent's link to a contract (consistent lookup)
    A#<agent>                      CLOCK              the running clock, at most one (GSI2 CLOCKS#<shard>)
    A#<agent>#DIARY                DAY#<date>         the spans the agent logged that UTC day

An entry's id is a ULID whose time part is the start of its billing week, so `ENTRY#<id>` sorts
entries by week and every entry of a week shares the id's first ten characters: one query reads
a week, and the id alone says which week an entry is in."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, Versioned, present

# Platform indexes the scheduled jobs read are spread over this many partitions, so that no
# single GSI partition takes every write of a busy week.
SHARDS = 8


def shard_of(value: str) -> int:
    return int(hashlib.sha256(value.encode()).hexdigest()[:8], 16) % SHARDS


class ContractRecord(Versioned, discriminator="contract"):
    contract_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    business_name = UnicodeAttribute()
    business_time_zone = UnicodeAttribute()
    title = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    opening_id = OptionalUnicodeAttribute()
    application_id = OptionalUnicodeAttribute()
    agent_id = UnicodeAttribute()
    agent_name = UnicodeAttribute()
    agent_email = UnicodeAttribute()
    agent_time_zone = UnicodeAttribute()
    contract_kind = UnicodeAttribute()  # hourly, block (`kind` is the item discriminator)
    currency = UnicodeAttribute()
    # the terms in force now, for lists; `terms` (TermsChange history) is the authority per week
    rate_minor = IntegerAttribute()
    weekly_cap_minutes = OptionalIntegerAttribute()
    terms = JSONAttribute(default=list)
    # block contracts: the minutes that may be logged (the first block, and every further block
    # once it is paid) and the minutes logged so far
    block_minutes = OptionalIntegerAttribute()
    used_minutes = IntegerAttribute(default=0)  # block contracts: minutes drawn
    # further blocks (services/blocks/): block invoices made so far, the first included (None: 1);
    # the number of the one waiting for its payment; the minutes further blocks added once paid;
    # the automatic top-up ({"threshold_minutes", "block_minutes"}; None: off)
    blocks_bought = OptionalIntegerAttribute()
    block_pending = OptionalIntegerAttribute()
    added_minutes = IntegerAttribute(default=0)
    top_up = JSONAttribute(null=True)
    start_date = UnicodeAttribute()  # ISO date, the business's calendar
    end_date = OptionalUnicodeAttribute()
    coverage = JSONAttribute()  # WeeklySchedule.to_json(), in the business's time zone
    tier = IntegerAttribute(default=1)
    bonus = JSONAttribute(null=True)
    status = UnicodeAttribute(default="offered")
    periods = JSONAttribute(default=list)  # [[start, end|null], ...]
    ends_at = OptionalDateTimeAttribute()
    offered_by = UnicodeAttribute()
    offered_by_name = UnicodeAttribute()
    offered_at = UTCDateTimeAttribute()
    expires_at = OptionalDateTimeAttribute()
    decided_at = OptionalDateTimeAttribute()
    decline_reason = OptionalUnicodeAttribute()
    pause_reason = OptionalUnicodeAttribute()
    end_reason = OptionalUnicodeAttribute()
    ended_by = OptionalUnicodeAttribute()
    last_activity_at = OptionalDateTimeAttribute()
    amendments = JSONAttribute(default=list)
    # the message thread (services/contract_messages.py): messages each side has not read, ADDed
    # in the transaction of each message and set to 0 when that side opens the thread; here, so
    # that the lists and the navigation's count read them with the contracts (no read more)
    business_unread = IntegerAttribute(default=0)
    agent_unread = IntegerAttribute(default=0)

    def require_block_minutes(self) -> int:
        """A block contract's minutes that may be logged (its offer set them)."""
        return present(self, "block_minutes", self.block_minutes)


class ContractLink(Entity, discriminator="contract_link"):
    """The agent's own pointer to a contract in a business's partition."""

    tenant_id = UnicodeAttribute()


class EntryRecord(Versioned, discriminator="entry"):
    entry_id = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    week = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    ended_at = UTCDateTimeAttribute()
    minutes = IntegerAttribute()
    memo = UnicodeAttribute(default="")
    tickets = StringListAttribute(default=list)
    source = UnicodeAttribute(default="manual")  # manual, clock
    flag = OptionalUnicodeAttribute()  # why a clock stopped on its own
    pair_id = OptionalUnicodeAttribute()  # the other half of an entry split at Monday 00:00 UTC
    review = UnicodeAttribute(default="")  # "", approved, disputed, resolved
    dispute_id = OptionalUnicodeAttribute()
    upheld_minutes = IntegerAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class TimesheetRecord(Entity, discriminator="timesheet"):
    """A contract's billing week. Minute counters change by atomic ADDs in the transaction of the
    entry or review action that changes them; the lock snapshots what is billed. The item is
    created by the first such update (no read-then-put race), so it counts its own changes in
    `revision` instead of carrying a VersionAttribute, which an update of an unread item would
    reset."""

    contract_id = UnicodeAttribute()
    week = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open, locked, closed
    logged_minutes = IntegerAttribute(default=0)
    entry_count = IntegerAttribute(default=0)
    billed_minutes = OptionalIntegerAttribute()
    approved_minutes = IntegerAttribute(default=0)
    disputed_minutes = IntegerAttribute(default=0)
    upheld_minutes = IntegerAttribute(default=0)
    released_minutes = IntegerAttribute(default=0)
    rate_minor = OptionalIntegerAttribute()
    currency = OptionalUnicodeAttribute()
    cap_minutes = OptionalIntegerAttribute()
    locked_at = OptionalDateTimeAttribute()
    closed_at = OptionalDateTimeAttribute()
    revision = IntegerAttribute(default=0)


class WeekMarker(Entity, discriminator="tenant_week"):
    """A business had time logged in a week, on these contracts: the jobs fan out from it."""

    contract_ids = UnicodeSetAttribute(default=set)


class DiaryDayRecord(Versioned, discriminator="diary_day"):
    spans = JSONAttribute(default=list)  # [[start minute, end minute, "<tenant>/<contract>/<entry>"], ...]


class ClockRecord(Entity, discriminator="clock"):
    contract_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    contract_title = UnicodeAttribute(default="")
    started_at = UTCDateTimeAttribute()
    due_at = UTCDateTimeAttribute()
    memo = UnicodeAttribute(default="")


class DisputeRecord(Versioned, discriminator="dispute"):
    dispute_id = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    week = UnicodeAttribute()
    business_name = UnicodeAttribute()
    agent_name = UnicodeAttribute()
    contract_title = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    ended_at = UTCDateTimeAttribute()
    minutes = IntegerAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute(default="open")
    outcome = OptionalUnicodeAttribute()
    upheld_minutes = IntegerAttribute(default=0)
    released_minutes = IntegerAttribute(default=0)
    messages = JSONAttribute(default=list)  # [{"side", "name", "body", "at"}]
    filed_by = UnicodeAttribute()
    filed_by_name = UnicodeAttribute()
    filed_at = UTCDateTimeAttribute()
    resolved_at = OptionalDateTimeAttribute()
    resolved_by = OptionalUnicodeAttribute()
    resolution_note = OptionalUnicodeAttribute()


class BonusRecord(Entity, discriminator="bonus"):
    """A one-off bonus a business grants on a contract: billed with the week it was granted in,
    and paid to the agent like hours (less the agent fee)."""

    bonus_id = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    week = UnicodeAttribute()
    amount = IntegerAttribute()
    currency = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    granted_by = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute()


# -- keys -----------------------------------------------------------------------------------------


def contract_key(tenant: TenantId, contract_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant), keys.sort_key("CONTRACT", contract_id)


def contract_partition(tenant: TenantId, contract_id: str) -> str:
    return keys.tenant_pk(tenant, "CONTRACT", contract_id)


def link_key(agent: AgentId, contract_id: str) -> tuple[str, str]:
    return keys.agent_pk(agent), keys.sort_key("CONTRACT", contract_id)


def agent_contracts_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "CONTRACTS")


def agent_entries_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "ENTRIES")


def agent_disputes_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "DISPUTES")


def entry_key(tenant: TenantId, contract_id: str, entry_id: str) -> tuple[str, str]:
    return contract_partition(tenant, contract_id), keys.sort_key("ENTRY", entry_id)


def week_entries_prefix(week: BillingWeek) -> str:
    from chalicelib.ids import week_prefix

    return keys.sort_key("ENTRY", week_prefix(week.starts_at))


def timesheet_key(tenant: TenantId, contract_id: str, week: BillingWeek) -> tuple[str, str]:
    return contract_partition(tenant, contract_id), keys.sort_key("WEEK", str(week))


def bonus_key(tenant: TenantId, contract_id: str, week: BillingWeek, bonus_id: str) -> tuple[str, str]:
    return contract_partition(tenant, contract_id), keys.sort_key("BONUS", str(week), bonus_id)


def dispute_key(tenant: TenantId, contract_id: str, entry_id: str) -> tuple[str, str]:
    return contract_partition(tenant, contract_id), keys.sort_key("DISPUTE", entry_id)


def marker_key(tenant: TenantId, week: BillingWeek) -> tuple[str, str]:
    return keys.tenant_pk(tenant), keys.sort_key("WEEK", str(week))


def weeks_index(week: BillingWeek, shard: int) -> str:
    return keys.platform_pk("WEEKS", f"{week}#{shard}")


def clock_key(agent: AgentId) -> tuple[str, str]:
    return keys.agent_pk(agent), "CLOCK"


def clocks_index(shard: int) -> str:
    return keys.platform_pk("CLOCKS", str(shard))


def offers_index(shard: int) -> str:
    return keys.platform_pk("OFFERS", str(shard))


def idle_index(shard: int) -> str:
    return keys.platform_pk("IDLE", str(shard))


DISPUTE_QUEUE = keys.platform_pk("DISPUTES", "queue")


def diary_day_key(agent: AgentId, day: date) -> tuple[str, str]:
    return keys.agent_pk(agent, "DIARY"), keys.sort_key("DAY", day.isoformat())


def dispute_claim_pk(dispute_id: str) -> str:
    return keys.platform_pk("DISPUTE", dispute_id)


def stamp(moment: datetime) -> str:
    """A sortable UTC text for index sort keys."""
    return moment.strftime("%Y-%m-%dT%H:%MZ")
