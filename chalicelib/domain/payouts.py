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
