"""The double-entry ledger: every movement of money is a journal of postings that sum to zero in
each currency (debits positive, credits negative).

Accounts:
- `receivable:<tenant>`  what a business owes (an invoice finalized, until it is paid);
- `stripe`               money at Stripe (a payment in; transfers and refunds out);
- `held:<invoice>`       what an invoice collected and deskhire still holds for agents, refunds
                         and its own revenue; zero once the invoice is settled;
- `payable:<agent>`      owed to an agent and not yet transferred (their payouts wait);
- `revenue`              the platform's: the client fee and the agent fees it keeps;
- `reversal:<agent>`     after a refund after payout, the agent's share on its way back;
- `agent_receivable:<agent>`  what an agent owes back when a reversal failed (kept from their
                         next transfers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int  # minor units; debit positive, credit negative
    currency: str


@dataclass(frozen=True)
class Journal:
    name: str  # what happened: invoice.finalized, invoice.paid, transfer.committed, ...
    postings: tuple[Posting, ...]

    def __post_init__(self):
        if any(type(p.amount) is not int for p in self.postings):
            raise TypeError("ledger amounts are integers of minor units")
        totals: dict[str, int] = {}
        for posting in self.postings:
            totals[posting.currency] = totals.get(posting.currency, 0) + posting.amount
        if any(totals.values()):
            raise InvalidInput(f"journal {self.name} does not balance: {totals}", field="postings")

    @property
    def nonzero(self) -> tuple[Posting, ...]:
        return tuple(p for p in self.postings if p.amount)


def move(name: str, currency: str, amount: int, *, debit: str, credit: str) -> Journal:
    return Journal(name, (Posting(debit, amount, currency), Posting(credit, -amount, currency)))


def balance(postings: Iterable[Posting], account: str, currency: str) -> int:
    return sum(p.amount for p in postings if p.account == account and p.currency == currency)
