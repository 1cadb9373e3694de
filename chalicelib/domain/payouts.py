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


def can_pay_out(agent_country: str, *, platform_country: str) -> bool:
    """Whether the platform can pay an agent in `agent_country` through Connect: inside its region
    (the full agreement), or, from a US platform, anywhere else on the recipient agreement (for the
    countries deskhire pays out to, all on Stripe's list of cross-border payout countries)."""
    return (
        agent_country.upper() in platform_region(platform_country)
        or platform_country.upper() in CROSS_BORDER_PLATFORMS
    )


def service_agreement(agent_country: str, *, platform_country: str) -> ServiceAgreement:
    """The full agreement inside the platform's region; the recipient agreement outside it."""
    if agent_country.upper() in platform_region(platform_country):
        return ServiceAgreement.FULL
    return ServiceAgreement.RECIPIENT
