"""Currencies deskhire bills in, each with its number of minor-unit digits (Stripe's list of
zero-decimal currencies decides the zeros). Its own module: forms list it without loading money."""

CURRENCY_EXPONENTS = {"usd": 2, "eur": 2, "gbp": 2, "cad": 2, "aud": 2, "jpy": 0}
