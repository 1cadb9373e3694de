"""Refunds after payout, one module per use case: `refunds` (an operator refunds minutes already
paid out), `recovery` (Stripe's part: the refund, the reversals, what the agent owes), `overview`
(what the operators see). Callers import the module they need; nothing is re-exported here."""
