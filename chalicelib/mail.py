"""Mail out: SES in deployed stages; in the local stage an outbox a person reads in the browser
(/dev/outbox). Both take the same message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


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
