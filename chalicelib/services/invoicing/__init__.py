"""The business's invoices, one module per use case: `planning` (the weekly invoice when the week
locks, a block's invoice, the estimate so far), `drafting` (carried to Stripe step by step, each
step once), `collection` (charged or sent, then paid, failed, void); `invoices` reads an invoice's
record and mails its business's owners. Callers import the module they need; nothing is
re-exported here."""
