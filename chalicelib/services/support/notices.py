"""Support's mail: a reply to the customer (from deskhire's sender, the business's words quoted,
a signed Reply-To that threads the answer back), and what the business's owners and admins are
told (an escalation with no tier-2 agent on shift, a missed first-response target). Subjects come
from deskhire's catalogue only (chalicelib/mail.py)."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.support import InquiryRecord, MessageRecord, head_key
from chalicelib.web.observability import logger


def mail_reply(tenant: TenantId | None, inquiry_id: str, message: MessageRecord, *, deps: Deps) -> None:
    """Mail a reply to the customer, then mark it sent. A failure is logged: the reply stays in
    the thread, marked pending, and the agent sees it was not mailed."""
    from chalicelib.mail import Mail, Subject, their_words
    from chalicelib.services.support import inbound_mail
    from chalicelib.services.support.inquiries import business_name

    if tenant is None:
        return
    head = InquiryRecord.load(*head_key(tenant, inquiry_id))
    name = business_name(tenant)
    lines = [
        f"There is a reply to your request #{head.number}.",
        "",
        their_words(
            "the business's",
            {"Business": name},
            note=message.body,
            note_label="Reply",
            limit=rules.MAX_MESSAGE_CHARS,
        ),
    ]
    if message.article:
        lines += ["", f"An article from their help centre: {deps.link(message.article['path'])}"]
    lines += [
        "",
        f"To answer, reply to this mail: your answer joins request #{head.number}.",
        "Sent by deskhire on behalf of the business named above.",
    ]
    try:
        deps.mailer.send(
            Mail(
                to=head.customer_email,
                subject=Subject.INQUIRY_REPLY.line(number=int(head.number)),
                text="\n".join(lines) + "\n",
                reply_to=inbound_mail.reply_address(tenant, inquiry_id, deps=deps),
            ),
            now=deps.now(),
        )
    except Exception:
        logger.exception("the reply could not be mailed", extra={"inquiry": inquiry_id})
        return
    MessageRecord(message.pk, message.sk).update(actions=[MessageRecord.mail_status.set("sent")])


def mail_team(tenant: TenantId, number: int, *, escalated: bool, deps: Deps) -> None:
    """Tell the business's owners and admins that an inquiry needs them (escalated with no tier-2
    agent on shift, or past its first-response target)."""
    from chalicelib.mail import Mail, Subject
    from chalicelib.store.identity import MemberRecord

    team = [
        m
        for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
        if isinstance(m, MemberRecord) and m.role in ("owner", "admin") and m.status == "active"
    ]
    link = deps.link("/app/inquiries?status=escalated")
    if escalated:
        subject = Subject.INQUIRY_ESCALATED.line(number=number)
        text = (
            f"Request #{number} was escalated to tier 2 and no tier-2 agent is on shift to take it.\n"
            f"Your team can answer it in deskhire: {link}\n"
        )
    else:
        subject = Subject.INQUIRY_BREACHED.line(number=number)
        text = (
            f"Request #{number} had no first reply by its target time. deskhire gave it to another "
            f"agent on shift if one fitted, else escalated it to your team.\nSee it in deskhire: {link}\n"
        )
    for member in team:
        deps.mailer.send(Mail(to=member.email, subject=subject, text=text), now=deps.now())
