"""Mail out: SES in deployed stages; in the local stage an outbox a person reads in the browser
(/dev/outbox). Both take the same message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Mail:
    """A message deskhire sends. Its subject is deskhire's own words: a tenant's text (a business
    name, a title) belongs in the body, quoted (chalicelib.domain.text.quoted_name). As a last
    line of defence every subject loses control characters (no header can be injected) and any URL,
    domain or mail address (deskhire's own subjects have none; an impostor's link would)."""

    to: str
    subject: str
    text: str

    def __post_init__(self):
        from chalicelib.domain.text import quoted_name

        object.__setattr__(self, "subject", quoted_name(self.subject, limit=150, fallback="deskhire"))


class Mailer(Protocol):
    def send(self, mail: Mail, *, now: datetime) -> None: ...


class OutboxMailer:
    def send(self, mail: Mail, *, now: datetime) -> None:
        from chalicelib.store import outbox

        outbox.keep(mail, now=now)


class SesMailer:
    def __init__(self, sender: str, client=None):
        self.sender = sender
        self._client = client

    def send(self, mail: Mail, *, now: datetime) -> None:
        if self._client is None:
            import boto3

            self._client = boto3.client("ses")
        self._client.send_email(
            Source=self.sender,
            Destination={"ToAddresses": [mail.to]},
            Message={"Subject": {"Data": mail.subject}, "Body": {"Text": {"Data": mail.text}}},
        )
