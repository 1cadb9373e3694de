"""Every key deskhire writes is built here, and only here.

The single table has `pk`/`sk` and two overloaded global secondary indexes. Access patterns:

| pattern                                   | where                                             |
|-------------------------------------------|---------------------------------------------------|
| anything a business owns                  | pk = `T#<tenant>` or `T#<tenant>#<kind>#...`      |
| anything an agent owns                    | pk = `A#<agent>` or `A#<agent>#<kind>#...`        |
| the other party's view (an agent's        | GSI1: gsi1pk = `A#<agent>#<kind>`, gsi1sk sorts;  |
|   contracts across businesses)            |   written on the tenant's item, read by the agent |
| platform listings (the openings board,    | GSI2: gsi2pk = `BOARD#...` / `QUEUE#...`          |
|   the vetting queue, unique lookups)      |                                                   |
| platform control items (health, runs)     | pk = `SYS#<name>`                                 |
| unique claims (a slug, an email)          | pk = `SLUG#<slug>`, `EMAIL#<email>`               |
| a business by a word of its name (the     | pk = `BNAME#<word's first letter>`, sk =          |
|   operators' search; store/directory.py)  |   `<word>#<tenant>`, written with the name        |
| credentials looked up before the tenant   | pk = `SESSION#<sha256>`, `RESET#<sha256>`,        |
|   is known (sessions, resets, API keys)   |   `APIKEY#<sha256>`: hashes, never the secret     |
| a principal's sessions (to revoke them)   | GSI2: gsi2pk = `SESSIONS#<kind>#<id>`             |
| an invitation by its token                | GSI2: gsi2pk = `INVITE#<sha256>`                  |
| agents waiting for vetting                | GSI2: gsi2pk = `AGENTS#<status>`, sorted by time  |
| login throttling counters (TTL)           | pk = `THROTTLE#<scope>#<sha256>`                  |
| rate-limit buckets (TTL; store/limits.py) | pk = `LIMIT#<scope>-<numbers>-<hmac>`, sk BUCKET |
| operators                                 | pk = `OP#<operator>`                              |
| a tenant's audit log, newest first        | pk = `T#<tenant>#AUDIT`, sk = `<time>#<ulid>`     |
| agents whose payout to their bank failed  | GSI1: gsi1pk = `PAYOUTFAILED#<n>` on the payout   |
|   (operators' payouts page)               |   account (store/billing.py; GSI2 holds OWING#)   |
| a business's contracts (offers included)  | pk = `T#<tenant>`, sk = `CONTRACT#<id>`           |
| an agent's contracts across businesses    | GSI1: gsi1pk = `A#<agent>#CONTRACTS`              |
| interviews still to come (action lists),  | GSI1 `A#<agent>#INTERVIEWS`, GSI2                 |
|   the agent's and the business's          |   `T#<tenant>#INTERVIEWS`, sk `<until>#<id>`      |
| a contract's diary, weeks and disputes    | pk = `T#<tenant>#CONTRACT#<id>`, sk = `ENTRY#`,   |
|                                           |   `WEEK#<week>`, `DISPUTE#<entry>`                |
| an agent's entries by time, all contracts | GSI1: gsi1pk = `A#<agent>#ENTRIES`, sk = start    |
| the agent's overlap guard and clock       | pk = `A#<agent>#DIARY` (`DAY#<date>`),            |
|                                           |   `A#<agent>` sk = `CLOCK`                        |
| what the jobs fan out from (sharded)      | GSI2: `WEEKS#<week>#<n>`, `CLOCKS#<n>`,           |
|                                           |   `OFFERS#<n>`, `IDLE#<n>`, `DISPUTES#queue`      |
| support settings, inquiry numbers         | `T#<tenant>` `SUPPORT`; `T#<tenant>#INQNO`        |
| an inquiry: head, messages, routing       | pk = `T#<tenant>#INQ#<id>` (store/support.py)     |
| a business's open queue, its history, a   | `T#<tenant>#QUEUE`, `T#<tenant>#INQS#<yyyy-mm>`,  |
|   customer's inquiries                    |   `T#<tenant>#CUST#<sha256(email)>`               |
| agents on shift for a business            | `T#<tenant>#ONSHIFT`, sk `A#<agent>`              |
| an agent's open inquiries, all businesses | GSI1: gsi1pk = `A#<agent>#INQUIRIES`              |
| inquiries awaiting a first response       | GSI2: `SLA#<n>` (the sla-check job's fan-out)     |
| helpdesk tickets awaiting one (their state| GSI2: `HDSLA#<n>`, sk `<due>#<tenant>#<inquiry>`  |
|   items; the same job counts a miss)      |                                                   |
| proof of work under a contract            | `T#<tenant>#CONTRACT#<id>`, sk `WORK#<at>#<ulid>`;|
|                                           |   GSI1 `A#<agent>#WORK`                           |
| an inquiry's business; inbound-mail secret| pk = `INQ#<id>`; `INBOUND#<sha256>`               |
| a business's knowledge base: its head,    | pk = `T#<tenant>#KB`, sk = `HEAD`, `ART#<id>`,    |
|   articles, slug claims, categories       |   `SLUG#<article slug>`, `CAT#<category slug>`    |
| the KB's search index, in chunks          | pk = `T#<tenant>#KBIDX`, sk = `<version>#<chunk>` |
| help-centre visits, per day (TTL)         | pk = `T#<tenant>#VISIT#<yyyy-mm-dd>`, sk = visit  |
| deflected visits, a counter per day       | pk = `T#<tenant>#DEFLECTION`, sk = `<yyyy-mm-dd>` |
| a helpdesk ticket's inquiry; events taken | pk = `T#<tenant>#HELPDESK`, sk = `TICKET#<product>|
|                                           |   #<ticket id>`, `EVENT#<key>` (store/helpdesk.py)|
| a ticket's state beside its inquiry       | pk = `T#<tenant>#INQ#<id>`, sk = `HELPDESK`       |
| helpdesk events received; addresses that  | pk = `T#<tenant>#HDLOG`, sk = `<received>#<ulid>`;|
|   need the business's attention           |   pk = `T#<tenant>#HDATTN`, sk = `<sha256(addr)>` |
| metrics: a business's day, its hours (TTL)| `T#<tenant>#MDAY` sk `<yyyy-mm-dd>`;              |
|   and its reasons' days (store/metrics.py)|   `T#<tenant>#MHOUR#<yyyy-mm>` sk `<dd>T<hh>`;    |
|                                           |   `T#<tenant>#MREASON#<yyyy-mm>` sk `<dd>#<tag>`  |
| metrics: a reason's hours (TTL; the hour  | `T#<tenant>#MHREASON#<yyyy-mm>` sk `<hh>#<dd>#<tag>`|
|   spikes' drivers, store/metric_hours.py) |                                                   |
| metrics: an agent's day, for one business | `T#<tenant>#MAGENT#<agent>` sk `<yyyy-mm-dd>`;    |
|   and across businesses                   |   `A#<agent>#MDAY` sk `<yyyy-mm-dd>`              |
| metrics: week sums, beside the days       | `T#<tenant>#MWSUM` sk `<yyyy-Www>#B`,             |
|   (store/metric_weeks.py)                 |   `<yyyy-Www>#R#<tag>`, `<yyyy-Www>#A#<agent>`    |
| metrics: rollups and spikes               | `T#<tenant>#MWEEK` sk `<yyyy-Www>`, `#MMONTH` sk  |
|                                           |   `<yyyy-mm>`; `T#<tenant>#MSPIKE` sk `<day>[T<hh>]`|
|                                           |   `T#<tenant>#MSPIKEMAIL` sk `<day>` (the day's   |
|                                           |   one hour-spike mail; store/metric_spikes.py)    |
| businesses with figures on a day (the     | GSI2: gsi2pk = `MDAYS#<yyyy-mm-dd>#<n>` (n: 0..7, |
|   metrics-rollup job's fan-out, no Scan)  |   by business), gsi2sk = `<tenant>`, on day items |
| marketplace health: platform day counters | pk = `SYS#MDAY#<shard>`, sk = `<yyyy-mm-dd>`      |
|   (sharded), signup cohorts by stage,     | `SYS#COHORT#<B|A>#<yyyy-mm>`, sk = `<stage>`;     |
|   who was active which day of a month,    | `SYS#ACTIVE#<B|A>#<yyyy-mm>`, sk = `<id>`;        |
|   the funnel stages one party reached     | `T#<tenant>` / `A#<agent>`, sk = `FUNNEL`         |
|                                           |   (store/platform_metrics.py)                     |

store/contracts.py details the contract items and why an entry's id carries its week;
store/knowledge.py details the knowledge base's; store/metrics.py the metrics aggregates'.

Tenant partitions are `T#<tenant>` and `T#<tenant>#...`, never a bare prefix, so that the IAM
session policy (`dynamodb:LeadingKeys` on `T#<tenant>` and `T#<tenant>#*`) cannot match a longer
tenant id that merely starts with this one.
"""

from __future__ import annotations

from chalicelib.domain.tenancy import AgentId, TenantId

TENANT_PREFIX = "T#"
AGENT_PREFIX = "A#"
SYSTEM_PREFIX = "SYS#"
SEP = "#"


def _join(prefix: str, owner: str, parts: tuple[str, ...]) -> str:
    for part in parts:
        if not part or SEP in part:
            raise ValueError(f"key part {part!r} is empty or contains {SEP!r}")
    return SEP.join((prefix + owner, *parts))


def tenant_pk(tenant: TenantId, *parts: str) -> str:
    if not isinstance(tenant, TenantId):
        raise TypeError("tenant keys need a TenantId from the principal")
    return _join(TENANT_PREFIX, tenant.value, parts)


def agent_pk(agent: AgentId, *parts: str) -> str:
    if not isinstance(agent, AgentId):
        raise TypeError("agent keys need an AgentId from the principal")
    return _join(AGENT_PREFIX, agent.value, parts)


def system_pk(name: str, *parts: str) -> str:
    return _join(SYSTEM_PREFIX, name, parts)


def platform_pk(kind: str, value: str) -> str:
    """Items the platform owns (claims, credential lookups): `<KIND>#<value>`."""
    if kind in ("T", "A") or not kind.isupper():
        raise ValueError(f"{kind!r} is not a platform key kind")
    return _join(kind + SEP, value, ())


def sort_key(*parts: str) -> str:
    return SEP.join(parts)


def belongs_to(partition_key: str, owner_pk: str) -> bool:
    """True when `partition_key` is the owner's partition or one of its sub-partitions."""
    return partition_key == owner_pk or partition_key.startswith(owner_pk + SEP)


# The health probe reads this item; it need not exist.
HEALTH_PK = system_pk("HEALTH")
