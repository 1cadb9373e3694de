"""The mail a contract's transitions send: names, titles and notes quoted as the parties' words,
to the member who made the offer (the business's point of contact) or to the agent. A time in a
mail is on its recipient's clock: the text may be a function of their zone (services/zones.py)."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import contracts as rules
from chalicelib.mail import Mail, Subject, SubjectLine, their_words
from chalicelib.services import zones
from chalicelib.services.contracts import records
from chalicelib.services.zones import Written
from chalicelib.store import keys
from chalicelib.store.contracts import ContractRecord
from chalicelib.store.identity import MemberRecord


def quoted(record: ContractRecord, *, note: str = "", note_label: str = "") -> str:
    """The names and title a contract mail mentions, and a note, quoted as the parties' words."""
    return their_words(
        "the business's and the agent's",
        {"Business": record.business_name, "Agent": record.agent_name, "Contract": record.title},
        note=note,
        note_label=note_label,
    )


def mail_business(
    record: ContractRecord, subject: Subject | SubjectLine, text: Written, *, deps: Deps
) -> None:
    """The member who made the offer hears about it (the business's point of contact)."""
    member = MemberRecord.find(
        keys.tenant_pk(records.tenant_of(record)), keys.sort_key("MEMBER", record.offered_by)
    )
    if member is None or member.status != "active":
        return
    body = zones.for_zone(text, lambda: zones.of_member(member))
    deps.mailer.send(
        Mail(
            to=member.email,
            subject=subject,
            text=f"{body}\n\n{deps.link('/app/contracts/' + record.contract_id)}\n",
        ),
        now=deps.now(),
    )


def mail_agent(record: ContractRecord, subject: Subject | SubjectLine, text: Written, *, deps: Deps) -> None:
    """The contract's agent hears about it, times on their clock (their profile's zone)."""
    body = zones.for_zone(text, lambda: zones.of_agent(record.agent_id))
    deps.mailer.send(
        Mail(
            to=record.agent_email,
            subject=subject,
            text=f"{body}\n\n{deps.link('/agent/contracts/' + record.contract_id)}\n",
        ),
        now=deps.now(),
    )


def tell_other_side(
    record: ContractRecord, side: rules.Side, subject: Subject | SubjectLine, text: Written, *, deps: Deps
) -> None:
    if side is rules.Side.AGENT:
        mail_business(record, subject, text, deps=deps)
    else:
        mail_agent(record, subject, text, deps=deps)
