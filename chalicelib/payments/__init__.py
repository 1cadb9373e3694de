"""The Stripe adapter (official SDK): the only code that imports `stripe`. Arrives with billing."""
