"""Mail from a business's customers, posted to the business's inbound-mail webhook
(`POST /api/v1/inbound-mail/<secret>`; docs/support.md, "The inbound mail shape").

- **Whose**: the business whose secret is in the path (settings.tenant_of_inbound_secret). Nothing
  in the mail chooses the business (PROMISES R2).
- **Threading**: deskhire's replies go out with `Reply-To: reply+<inquiry id>-<signature>@<inbound
  domain>`. The signature is an HMAC of the business and the inquiry with deskhire's secret, so
  that nobody can make up an address that files mail into an inquiry. A mail to such an address
  joins that inquiry when the address is valid, the inquiry is this business's and the sender is
  its customer; otherwise it starts a new inquiry.
- **Once**: a provider that retries a post is answered as the first time: the mail's Message-ID
  is recorded in the same transaction as what it made.
- **Limits**: per business and per sender address (PROMISES T5), so that one noisy sender cannot
  flood a queue.
- **Words**: the sender's text is kept as plain text (characters that hide text dropped, HTML
  turned into its text), and only the part above the quoted thread joins a reply."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import getaddresses
from typing import Any

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tenancy import TenantId
from chalicelib.store.support import InboundMessageRecord, inbound_message_key

REMEMBER_MAIL = timedelta(days=7)
_TOKEN = re.compile(r"^reply\+([0-9a-z]{26})-([a-z2-7]{13})$")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def _signature(tenant: TenantId, inquiry_id: str, secret: bytes) -> str:
    digest = hmac.new(secret, f"inquiry-reply:{tenant.value}:{inquiry_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:8]).decode().rstrip("=").lower()


def reply_address(tenant: TenantId, inquiry_id: str, *, deps: Deps) -> str:
    """The Reply-To of a reply to the customer: their answer threads back into `inquiry_id`."""
    local = f"reply+{inquiry_id.lower()}-{_signature(tenant, inquiry_id, deps.secret)}"
    return f"{local}@{deps.settings.inbound_mail_domain}"


def threaded_inquiry(tenant: TenantId, addresses: list[str], *, deps: Deps) -> str | None:
    """The inquiry of `tenant` that one of `addresses` is a valid reply address of, if any."""
    domain = deps.settings.inbound_mail_domain
    for address in addresses:
        local, _, host = address.strip().lower().rpartition("@")
        match = _TOKEN.match(local)
        if match is None or host != domain:
            continue
        inquiry_id = match.group(1).upper()
        if hmac.compare_digest(match.group(2), _signature(tenant, inquiry_id, deps.secret)):
            return inquiry_id
    return None


# -- what a provider posts ------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundMail:
    sender: str  # the From: address
    sender_name: str | None
    recipients: list[str]  # To: and Cc:
    subject: str
    text: str
    message_id: str | None


def _text_of(value: Any, field: str, *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("expected text", field=field)
    if len(value) > limit:
        raise rules.MessageTooLarge(f"at most {limit:,} characters", field=field)
    return value


def _addresses(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidInput("expected an address or a list of addresses", field=field)
    return [address for _, address in getaddresses([str(v) for v in values[:50]]) if address]


def _sender(value: str) -> tuple[str | None, str]:
    """The From: header as (display name, address): exactly one address and no line break or
    other control character (a header value that carries one is refused, never cleaned)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidInput("a sender is one address on one line", field="from")
    found = getaddresses([value])
    if len(found) != 1 or not found[0][1]:
        raise InvalidInput("a sender is one address", field="from")
    name, address = found[0]
    return name or None, address


def parse(payload: Any) -> InboundMail | None:
    """The mail in a webhook's JSON: deskhire's own shape, or an SNS notification of an SES
    receipt (its `content` the raw message). None for an SNS message that is not a mail (the
    subscription's confirmation)."""
    if not isinstance(payload, dict):
        raise InvalidInput("the body is a JSON object", field=None)
    if payload.get("Type") in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return None
    if payload.get("Type") == "Notification":
        return _from_ses(payload)
    allowed = {"from", "to", "cc", "subject", "text", "html", "message_id"}
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise InvalidInput("unknown field", field=unknown[0], code="unknown_field")
    name, sender = _sender(_text_of(payload.get("from"), "from", limit=400))
    text = _text_of(payload.get("text"), "text", limit=rules.MAX_MESSAGE_CHARS * 3)
    if not text.strip():
        text = _html_text(_text_of(payload.get("html"), "html", limit=rules.MAX_MESSAGE_CHARS * 5))
    return InboundMail(
        sender=sender,
        sender_name=name,
        recipients=_addresses(payload.get("to"), "to") + _addresses(payload.get("cc"), "cc"),
        subject=_text_of(payload.get("subject"), "subject", limit=1000),
        text=text,
        message_id=_text_of(payload.get("message_id"), "message_id", limit=1000) or None,
    )


def _html_text(markup: str) -> str:
    text = _TAGS.sub(" ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", markup))
    return html.unescape(text)


def _from_ses(envelope: dict[str, Any]) -> InboundMail:
    """SES's receipt notification (an SNS action), which carries the raw message in `content`."""
    import json
    from email import policy
    from email.parser import BytesParser

    try:
        notification = json.loads(envelope.get("Message") or "")
        mail = notification["mail"]
        headers = mail.get("commonHeaders") or {}
        content = notification.get("content") or ""
        encoding = ((notification.get("receipt") or {}).get("action") or {}).get("encoding", "UTF8")
        raw = base64.b64decode(content) if encoding == "BASE64" else content.encode("utf-8")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput("not an SES receipt notification", field="Message") from None
    if len(raw) > 256 * 1024:
        raise rules.MessageTooLarge("the message is too large", field="Message")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content_text = str(body.get_content())  # type: ignore[attr-defined]
        text = content_text if body.get_content_type() == "text/plain" else _html_text(content_text)
    senders = headers.get("from") or [str(message.get("From") or "")]
    name, sender = _sender(str(senders[0]))
    return InboundMail(
        sender=sender,
        sender_name=name,
        recipients=_addresses(headers.get("to"), "to") + _addresses(headers.get("cc"), "cc"),
        subject=str(headers.get("subject") or message.get("Subject") or ""),
        text=text,
        message_id=str(headers.get("messageId") or mail.get("messageId") or message.get("Message-ID") or "")
        or None,
    )


# -- taking it in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    inquiry_id: str
    number: int
    threaded: bool  # joined an inquiry (rather than started one)
    duplicate: bool = False


def take_in(tenant: TenantId, mail: InboundMail, *, deps: Deps) -> Taken:
    """File one mail for `tenant`: into the inquiry it answers, or as a new inquiry."""
    from chalicelib.domain.text import quoted_name, without_hidden
    from chalicelib.services.support import answers, inquiries
    from chalicelib.store import limits

    sender = rules.check_customer_email(mail.sender, field="from")
    rates = limits.in_force(deps)
    limits.spend(rates.inbound_tenant, "inbound_tenant", tenant.value, deps=deps)
    limits.spend(rates.inbound_per_sender, "inbound_per_sender", f"{tenant.value}:{sender}", deps=deps)
    text = without_hidden(mail.text)
    seen = None
    if mail.message_id:
        key = inbound_message_key(tenant, mail.message_id)
        earlier = InboundMessageRecord.find(*key, consistent=True)
        if earlier is not None:
            head = inquiries.find_for_system(tenant, earlier.inquiry_id)
            return Taken(earlier.inquiry_id, int(head.number) if head else 0, threaded=False, duplicate=True)
        seen = key
    inquiry_id = threaded_inquiry(tenant, mail.recipients, deps=deps)
    if inquiry_id is not None:
        head = inquiries.find_for_system(tenant, inquiry_id)
        if head is not None and head.customer_email == sender:
            answer = rules.new_part_of_reply(text)
            joined = answers.customer_reply(tenant, inquiry_id, answer, deps=deps)
            if joined is not None:
                _remember(seen, inquiry_id, deps=deps)
                return Taken(inquiry_id, int(joined.number), threaded=True)
    subject = quoted_name(
        without_hidden(mail.subject), limit=rules.MAX_SUBJECT_CHARS, fallback="(no subject)"
    )
    created = inquiries.create(
        tenant,
        inquiries.NewInquiry(
            customer_email=sender,
            customer_name=quoted_name(mail.sender_name, limit=80) if mail.sender_name else None,
            subject=subject,
            body=text.strip() or "(the mail had no text)",
            channel="email",
        ),
        source=rules.Source.EMAIL,
        deps=deps,
    )
    _remember(seen, created.inquiry_id, deps=deps)
    return Taken(created.inquiry_id, int(created.number), threaded=False)


def _remember(key: tuple[str, str] | None, inquiry_id: str, *, deps: Deps) -> None:
    """Record the mail's Message-ID, so that a provider's retry is answered as the first post.
    After what it made: a crash in between files a retry once more, never loses the mail."""
    if key is None:
        return
    expires = int((deps.now() + REMEMBER_MAIL).timestamp())
    InboundMessageRecord(*key, inquiry_id=inquiry_id, expires_at=expires).save()
