"""Which Stripe service agreement an agent's Express account needs, from where the agent and the
platform are.

Stripe's Connect platforms in the United States, Canada, the United Kingdom, Switzerland and the
EEA pay connected accounts on the full service agreement anywhere in that region; a platform
elsewhere, only in its own country. An account in a country outside the platform's region
(cross-border payouts) must be on the recipient service agreement: it receives transfers (only
the `transfers` capability) and never takes payments itself. On the full agreement Stripe refuses
such a transfer ("Funds can't be sent to accounts located in JP when the account is under the
`full` service agreement"), so the agreement is chosen when the account is created, and it cannot
be changed afterwards.

Cross-border payouts to recipient accounts outside the region are offered to platforms in the
United States only (Stripe's "Cross-border payouts" guide, "US only"; platforms elsewhere are told
Stripe "doesn't support self-serve cross-border payouts to countries outside the listed regions"),
so from any other platform an agent outside its region cannot be paid through Connect at all:
Stripe refuses to create the account ("Connected accounts in JP cannot be created by platforms in
GB"). `can_pay_out` says so before anything is created.

The Stripe emulator models the same rules from Stripe's side (local/stripe_emulator/countries.py);
tests/unit/test_payout_regions.py checks that the two agree for every platform and agent country."""

from __future__ import annotations

from enum import StrEnum

# The EEA (the EU, Iceland, Liechtenstein, Norway).
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
# Platforms here pay accounts on the full agreement in all of these countries.
CROSS_BORDER_REGION = frozenset({"US", "CA", "GB", "CH"} | EEA)


class ServiceAgreement(StrEnum):
    FULL = "full"
    RECIPIENT = "recipient"


def platform_region(platform_country: str) -> frozenset[str]:
    """Where a platform in `platform_country` pays accounts on the full service agreement."""
    country = platform_country.upper()
    return CROSS_BORDER_REGION if country in CROSS_BORDER_REGION else frozenset({country})


# Platforms whose Stripe account may pay recipient accounts outside their region (cross-border payouts).
CROSS_BORDER_PLATFORMS = frozenset({"US"})


# Where a US platform pays connected accounts on the recipient service agreement: the supported
# countries of Stripe's "Cross-border payouts" guide for US platforms
# (https://docs.stripe.com/connect/cross-border-payouts, the edition listing the countries, and
# .../cross-border-payouts/special-requirements; the current edition adds that other platforms get
# no self-serve cross-border payouts outside the US/UK/EEA/CA/CH region). This is the one list
# deskhire pays out by: signup, the profile and the payouts page read it through `can_pay_out`.
# Brazil, for one, is not on it: Stripe pays Brazilian accounts only from a Brazilian platform.
# tests/unit/test_payout_regions.py checks it against the Stripe emulator's model of Stripe.
def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


RECIPIENT_COUNTRIES = _codes(
    """
    AL DZ AO AG AR AM AU AT AZ BS BH BD BE BJ BT BO BA BW BN BG KH CA CL CO CR CI HR CY CZ DK DO EC EG
    SV EE ET FI FR GA GM DE GH GR GT GY HK HU IS IN ID IE IL IT JM JP JO KZ KE KW LA LV LI LT LU MO MG
    MY MT MU MX MD MC MN MA MZ NA NL NZ NE NG MK NO OM PK PA PY PE PH PL PT QA RO RW SM SA SN RS SG SK
    SI ZA KR ES LK LC SE CH TW TZ TH TT TN TR GB UY UZ VN
    """
)


def can_pay_out(agent_country: str, *, platform_country: str) -> bool:
    """Whether the platform can pay an agent in `agent_country` through Connect: inside its region
    (the full agreement), or, from a US platform, in a country of RECIPIENT_COUNTRIES (the
    recipient agreement). Anywhere else Stripe would refuse the account or its transfers."""
    agent, platform = agent_country.upper(), platform_country.upper()
    return agent in platform_region(platform) or (
        platform in CROSS_BORDER_PLATFORMS and agent in RECIPIENT_COUNTRIES
    )


def payable_countries(platform_country: str) -> frozenset[str]:
    """Every country the platform can pay agents in (its region, and from a US platform the
    recipient countries too)."""
    platform = platform_country.upper()
    region = platform_region(platform)
    return region | RECIPIENT_COUNTRIES if platform in CROSS_BORDER_PLATFORMS else region


def service_agreement(agent_country: str, *, platform_country: str) -> ServiceAgreement:
    """The full agreement inside the platform's region; the recipient agreement outside it."""
    if agent_country.upper() in platform_region(platform_country):
        return ServiceAgreement.FULL
    return ServiceAgreement.RECIPIENT


# -- payouts to the agent's bank ---------------------------------------------------------------

# What Stripe's payout failure codes mean for the agent: what happened, in plain words, and what
# they do about it. Stripe sends the money back to their Stripe balance and pays it out again once
# the bank details are right (the bank account is "errored" until they are updated).
BANK_FAILURES: dict[str, tuple[str, str]] = {
    "account_closed": (
        "your bank says the account is closed",
        "give Stripe the details of a bank account that is open",
    ),
    "account_frozen": (
        "your bank has frozen the account",
        "ask your bank to unfreeze it, or give Stripe the details of another bank account",
    ),
    "bank_account_restricted": (
        "your bank does not take this kind of payment into the account (often a savings account)",
        "give Stripe the details of a current (checking) account",
    ),
    "bank_ownership_changed": (
        "the bank's branch changed owner, so the details Stripe has no longer work",
        "check the details with your bank and give Stripe the new ones",
    ),
    "could_not_process": (
        "your bank could not process it",
        "check the bank details you gave Stripe; if they are right, ask your bank what went wrong",
    ),
    "debit_not_authorized": (
        "the account does not allow debits, which Stripe needs for payouts",
        "ask your bank to allow them, or give Stripe the details of another bank account",
    ),
    "declined": (
        "your bank declined it",
        "ask your bank why, then give Stripe the right details or another bank account",
    ),
    "incorrect_account_holder_name": (
        "your bank says the account holder's name is not the one on the account",
        "correct the account holder's name on Stripe, exactly as your bank has it",
    ),
    "incorrect_account_holder_address": (
        "your bank says the account holder's address is not the one on the account",
        "correct the account holder's address on Stripe",
    ),
    "incorrect_account_holder_tax_id": (
        "your bank says the account holder's tax ID is not the one on the account",
        "correct the tax ID on Stripe",
    ),
    "invalid_account_number": (
        "the account number is not valid",
        "correct the account number on Stripe",
    ),
    "invalid_currency": (
        "the bank account cannot take payments in this currency",
        "give Stripe the details of a bank account in this currency",
    ),
    "no_account": (
        "no bank account could be found with the details you gave",
        "check the bank details and correct them on Stripe",
    ),
    "unsupported_card": (
        "the bank no longer takes payouts to this card",
        "give Stripe the details of a bank account or another debit card",
    ),
}
# Codes about the Stripe side, not the agent's bank: an operator looks into them.
STRIPE_SIDE = frozenset({"insufficient_funds"})


def bank_failure(code: str | None) -> tuple[str, str]:
    """What happened to a payout to the agent's bank, and what the agent does (Stripe's code)."""
    if code in STRIPE_SIDE:
        return (
            "Stripe could not send it from your Stripe balance",
            "nothing: deskhire's operators are looking into it with Stripe",
        )
    return BANK_FAILURES.get(
        code or "",
        ("your bank sent it back", "check the bank details you gave Stripe and correct them"),
    )
