"""Offers and contracts, one module per use case: `offers` (offer, accept, decline, withdraw,
expire), `lifecycle` (pause, resume, end), `amendments` (propose, answer, withdraw a change);
`records` finds a contract for its parties and reads it, `transitions` and `notices` hold what
every transition writes and mails; `agent_zone` moves the agent's zone on their contracts when
their profile's changes. Callers import the module they need; nothing is re-exported
here."""
