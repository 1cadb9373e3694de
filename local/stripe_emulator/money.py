"""Currencies, the fixed exchange-rate table, card fees and country defaults.

Amounts are integers in minor units (cents; yen for the zero-decimal JPY), as in Stripe's API.
Rates are fixed so tests can predict converted amounts: `convert(1000, "usd", "eur") == 920`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Units of each currency per 1 USD. Fixed on purpose: the emulator's FX is a table, not a market.
USD_RATES: dict[str, Decimal] = {
    "usd": Decimal("1"),
    "eur": Decimal("0.92"),
    "gbp": Decimal("0.79"),
    "cad": Decimal("1.36"),
    "aud": Decimal("1.52"),
    "jpy": Decimal("150"),
    "inr": Decimal("83"),
    "chf": Decimal("0.88"),
    "sek": Decimal("10.5"),
    "nok": Decimal("10.6"),
    "dkk": Decimal("6.86"),
    "pln": Decimal("3.95"),
    "nzd": Decimal("1.64"),
    "sgd": Decimal("1.34"),
    "hkd": Decimal("7.8"),
    "mxn": Decimal("17"),
    "brl": Decimal("5"),
}
CURRENCIES = frozenset(USD_RATES)
ZERO_DECIMAL = frozenset({"jpy"})

COUNTRY_CURRENCY = {
    "US": "usd",
    "GB": "gbp",
    "CA": "cad",
    "AU": "aud",
    "JP": "jpy",
    "IN": "inr",
    "CH": "chf",
    "SE": "sek",
    "NO": "nok",
    "DK": "dkk",
    "PL": "pln",
    "NZ": "nzd",
    "SG": "sgd",
    "HK": "hkd",
    "MX": "mxn",
    "BR": "brl",
    **dict.fromkeys(
        [
            "DE",
            "FR",
            "PT",
            "ES",
            "IE",
            "NL",
            "IT",
            "BE",
            "AT",
            "FI",
            "LU",
            "GR",
            "EE",
            "LV",
            "LT",
            "SK",
            "SI",
        ],
        "eur",
    ),
}

# Stripe's standard US card pricing: 2.9% + 30 minor units. Informational: it lands on the balance
# transaction of each charge and is subtracted from the platform's balance, as on Stripe.
FEE_PERCENT = Decimal("0.029")
FEE_FIXED = 30


def exponent(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 2


def rate(source: str, target: str) -> Decimal:
    """Units of `target` per unit of `source`."""
    return USD_RATES[target] / USD_RATES[source]


def convert(amount: int, source: str, target: str) -> int:
    if source == target:
        return amount
    major = Decimal(amount).scaleb(-exponent(source)) * rate(source, target)
    return int(major.scaleb(exponent(target)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def exchange_rate(source: str, target: str) -> float | None:
    """As Stripe reports it on a balance transaction: null when no conversion happened."""
    if source == target:
        return None
    return float(rate(source, target).quantize(Decimal("0.000001")))


def card_fee(amount: int) -> int:
    return int((Decimal(amount) * FEE_PERCENT).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + FEE_FIXED


def display(amount: int, currency: str) -> str:
    """`$12.34` style, as Stripe writes amounts in error messages and receipts."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹"}.get(currency, "")
    major = Decimal(amount).scaleb(-exponent(currency))
    text = f"{major:,.{exponent(currency)}f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"
