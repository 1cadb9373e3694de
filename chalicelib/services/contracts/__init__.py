"""Offers and contracts, one module per use case: `offers` (offer, accept, decline, withdraw,
expire), `lifecycle` (pause, resume, end), `amendments` (propose, answer, withdraw a change);
`records` finds a contract for its parties and reads it, `transitions` and `notices` hold what
every transition writes and mails. Callers import the module they need; nothing is re-exported
here."""
