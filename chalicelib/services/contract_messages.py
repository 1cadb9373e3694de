"""A contract's message thread (issue 14, item 7; the rules in domain/contract_messages.py): read
by both parties, written while the contract runs, each message mailed to the other side.

Messages live in the contract's own partition (`T#<tenant>#CONTRACT#<id>`, sk
`MSG#<time>#<ulid>`), beside its entries and disputes, so only the contract's business (its
partition) and its agent (through the contract link) reach them: `records.find` is the gate.

What each side has not read is counted on the contract itself (`business_unread`,
`agent_unread`): a message ADDs one to the other side's count in its own transaction, and opening
the thread sets the reader's side back to 0. The business's count is its team's, as an
application's thread is: the member who reads it reads it for the business. Both writes go
through the contract's version (a stale copy of the contract cannot save over a count)."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import contract_messages as rules
from chalicelib.domain import contracts as contract_rules
from chalicelib.domain.identity import Principal
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, their_words
from chalicelib.services.contracts import records
from chalicelib.store import keys
from chalicelib.store.contracts import ContractRecord, contract_partition
from chalicelib.store.identity import MemberRecord
from chalicelib.store.marketplace import MessageRecord
from chalicelib.store.transactions import transaction

PREFIX = "MSG"
PREVIEW = 300


def _partition(record: ContractRecord) -> str:
    return contract_partition(records.tenant_of(record), record.contract_id)


def _unread(side: contract_rules.Side):
    return (
        ContractRecord.business_unread
        if side is contract_rules.Side.BUSINESS
        else ContractRecord.agent_unread
    )


def unread(record: ContractRecord, side: contract_rules.Side | str) -> int:
    """Messages the side (business or agent) has not read on the contract."""
    return int(getattr(record, f"{side}_unread", 0) or 0)


def thread(actor: Principal, contract_id: str) -> tuple[ContractRecord, list[MessageRecord]]:
    """The contract (if the actor is a party to it) and its messages, oldest first; reading it
    marks them read for the reader's side."""
    record = records.find(actor, contract_id)
    messages = [
        m
        for m in MessageRecord.query(_partition(record), MessageRecord.sk.startswith(PREFIX + keys.SEP))
        if isinstance(m, MessageRecord)
    ]
    side = records.side_of(actor)
    if unread(record, side):
        # `record` as read, with its version: the update moves the version on rather than to 1
        record.update(actions=[_unread(side).set(0)], add_version_condition=False)
    return record, messages


def post(actor: Principal, contract_id: str, text: str, *, deps: Deps) -> MessageRecord:
    from chalicelib.store import limits

    record = records.find(actor, contract_id)
    side = records.side_of(actor)
    rules.check_may_post(records.status_of(record, deps.now()))
    body = rules.check_message(text)
    limits.spend(
        limits.in_force(deps).contract_messages_per_author,
        "contract-messages",
        f"{actor.kind}:{actor.id}",
        deps=deps,
        message="you are writing faster than deskhire sends; wait a little and send it again",
    )
    now = deps.now()
    message = MessageRecord(
        _partition(record),
        keys.sort_key(PREFIX, now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), new_id()),
        author_kind=str(actor.kind),
        author_id=actor.id,
        author_name=actor.name,
        body=body,
        at=now,
    )
    other = (
        contract_rules.Side.AGENT if side is contract_rules.Side.BUSINESS else contract_rules.Side.BUSINESS
    )
    with transaction() as tx:
        tx.save(message, condition=MessageRecord.pk.does_not_exist())
        tx.update(record, actions=[_unread(other).add(1)], add_version_condition=False)
    _tell(record, side, actor, body, deps=deps)
    return message


def _tell(
    record: ContractRecord, side: contract_rules.Side, author: Principal, body: str, *, deps: Deps
) -> None:
    """The other side hears of it (the agent, or the member who made the offer, the business's
    point of contact): the subject is deskhire's words only; names and the message are quoted as
    the author's, in the body, with the link to the thread."""
    preview = body if len(body) <= PREVIEW else body[: PREVIEW - 3] + "..."
    words = their_words(
        "the business's and the agent's",
        {"Contract": record.title, "From": author.name},
        note=preview,
        note_label="Message",
    )
    text = (
        f"You have a new message about a contract on deskhire.\n\n{words}\n\nRead it and reply on deskhire: "
    )
    if side is contract_rules.Side.AGENT:
        member = MemberRecord.find(
            keys.tenant_pk(records.tenant_of(record)), keys.sort_key("MEMBER", record.offered_by)
        )
        if member is None or member.status != "active":
            return
        to, link = member.email, deps.link(f"/app/contracts/{record.contract_id}/messages")
    else:
        to, link = record.agent_email, deps.link(f"/agent/contracts/{record.contract_id}/messages")
    deps.mailer.send(Mail(to=to, subject=Subject.CONTRACT_MESSAGE, text=f"{text}{link}\n"), now=deps.now())
