"""The local outbox: mails kept in the table under `SYS#OUTBOX`, newest first."""

from __future__ import annotations

from datetime import datetime

from chalicelib.ids import new_id
from chalicelib.store.identity import MailRecord
from chalicelib.store.keys import system_pk

OUTBOX_PK = system_pk("OUTBOX")


def keep(mail, *, now: datetime) -> None:
    MailRecord(OUTBOX_PK, new_id(), to=mail.to, subject=mail.subject, text=mail.text, created_at=now).save()


def latest(limit: int = 50) -> list[MailRecord]:
    return list(MailRecord.query(OUTBOX_PK, scan_index_forward=False, limit=limit))
