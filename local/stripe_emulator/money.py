"""Currencies, the fixed exchange-rate table, card fees and country defaults.

Amounts are integers in minor units (cents; yen for the zero-decimal JPY), as in Stripe's API.
Rates are fixed so tests can predict converted amounts: `convert(1000, "usd", "eur") == 920`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Units of each currency per 1 USD. Fixed on purpose: the emulator's FX is a table, not a market
# (rounded rates of 2025, good enough to tell converted amounts from unconverted ones).
USD_RATES: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "usd": "1",
        "eur": "0.92",
        "gbp": "0.79",
        "cad": "1.36",
        "aud": "1.52",
        "jpy": "150",
        "inr": "83",
        "chf": "0.88",
        "sek": "10.5",
        "nok": "10.6",
        "dkk": "6.86",
        "pln": "3.95",
        "nzd": "1.64",
        "sgd": "1.34",
        "hkd": "7.8",
        "mxn": "17",
        "brl": "5",
        "aed": "3.67",
        "all": "91",
        "amd": "390",
        "aoa": "910",
        "ars": "1000",
        "azn": "1.7",
        "bam": "1.8",
        "bdt": "120",
        "bgn": "1.8",
        "bhd": "0.376",
        "bnd": "1.34",
        "bob": "6.9",
        "bsd": "1",
        "btn": "84",
        "bwp": "13.5",
        "clp": "950",
        "cop": "4100",
        "crc": "510",
        "czk": "23",
        "dop": "60",
        "dzd": "133",
        "egp": "49",
        "etb": "120",
        "gmd": "70",
        "ghs": "15",
        "gtq": "7.7",
        "gyd": "209",
        "huf": "360",
        "idr": "16000",
        "ils": "3.7",
        "isk": "138",
        "jmd": "157",
        "jod": "0.709",
        "kes": "129",
        "khr": "4000",
        "krw": "1380",
        "kwd": "0.307",
        "kzt": "500",
        "lak": "21000",
        "lkr": "300",
        "mad": "10",
        "mdl": "18",
        "mga": "4500",
        "mkd": "57",
        "mnt": "3400",
        "mop": "8",
        "mur": "46",
        "myr": "4.5",
        "mzn": "64",
        "nad": "18",
        "ngn": "1600",
        "omr": "0.385",
        "pen": "3.7",
        "php": "57",
        "pkr": "280",
        "pyg": "7800",
        "qar": "3.64",
        "ron": "4.6",
        "rsd": "108",
        "rwf": "1400",
        "sar": "3.75",
        "thb": "34",
        "tnd": "3.1",
        "try": "40",
        "ttd": "6.8",
        "twd": "32",
        "tzs": "2700",
        "uyu": "40",
        "uzs": "12700",
        "vnd": "25000",
        "xaf": "600",
        "xcd": "2.7",
        "xof": "600",
        "zar": "18",
    }.items()
}
CURRENCIES = frozenset(USD_RATES)
# Stripe's zero-decimal and three-decimal currencies (amounts in whole units, or thousandths).
ZERO_DECIMAL = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


def _words(text: str) -> list[str]:
    return text.split()


COUNTRY_CURRENCY = {
    **dict.fromkeys(_words("AT BE HR CY EE FI FR DE GR IE IT LV LT LU MT NL PT SK SI ES MC SM"), "eur"),
    **{
        country: currency
        for country, currency in (
            pair.split(":")
            for pair in _words(
                "US:usd GB:gbp GI:gbp CA:cad AU:aud JP:jpy IN:inr CH:chf LI:chf SE:sek NO:nok DK:dkk PL:pln "
                "NZ:nzd SG:sgd HK:hkd MX:mxn BR:brl AE:aed BG:bgn CZ:czk HU:huf RO:ron IS:isk MY:myr TH:thb "
                "AL:all DZ:dzd AO:aoa AG:xcd AR:ars AM:amd AZ:azn BS:bsd BH:bhd BD:bdt BJ:xof BT:btn BO:bob "
                "BA:bam BW:bwp BN:bnd KH:khr CL:clp CO:cop CR:crc CI:xof DO:dop EC:usd EG:egp SV:usd ET:etb "
                "GA:xaf GM:gmd GH:ghs GT:gtq GY:gyd ID:idr IL:ils JM:jmd JO:jod KZ:kzt KE:kes KW:kwd LA:lak "
                "MO:mop MG:mga MU:mur MD:mdl MN:mnt MA:mad MZ:mzn NA:nad NE:xof NG:ngn MK:mkd OM:omr PK:pkr "
                "PA:usd PY:pyg PE:pen PH:php QA:qar RW:rwf SA:sar SN:xof RS:rsd ZA:zar KR:krw LK:lkr LC:xcd "
                "TW:twd TZ:tzs TT:ttd TN:tnd TR:try UY:uyu UZ:uzs VN:vnd"
            )
        )
    },
}

# Stripe's standard US card pricing: 2.9% + 30 minor units. Informational: it lands on the balance
# transaction of each charge and is subtracted from the platform's balance, as on Stripe.
FEE_PERCENT = Decimal("0.029")
FEE_FIXED = 30


def exponent(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


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
