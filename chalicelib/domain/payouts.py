"""Which Stripe service agreement an agent's Express account needs, from where the agent and the
platform are.

Stripe's Connect platforms in the United States, Canada, the United Kingdom, Switzerland and the
EEA pay connected accounts on the full service agreement anywhere in that region; a platform
elsewhere, only in its own country. An account in a country outside the platform's region
(cross-border payouts) must be on the recipient service agreement: it receives transfers (only
the `transfers` capability) and never takes payments itself. On the full agreement Stripe refuses
such a transfer ("Funds can't be sent to accounts located in JP when the account is under the
`full` service agreement"), so the agreement is chosen when the account is created, and it cannot
be changed afterwards."""

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


def service_agreement(agent_country: str, *, platform_country: str) -> ServiceAgreement:
    """The full agreement inside the platform's region; the recipient agreement outside it."""
    if agent_country.upper() in platform_region(platform_country):
        return ServiceAgreement.FULL
    return ServiceAgreement.RECIPIENT
