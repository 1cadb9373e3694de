"""Where a Connect platform can pay: the country rules the emulator models.

Sources (see docs/stripe-emulator.md):

- Stripe's "Cross-border payouts" guide: platforms in the United States, the United Kingdom, the
  EEA, Canada and Switzerland can transfer funds to connected accounts on the **full** service
  agreement located in any of these same regions; Stripe does not support self-serve cross-border
  payouts to countries outside them on that agreement. A transfer to a full-agreement account
  elsewhere is refused: "Funds can't be sent to accounts located in MX when the account is under
  the `full` service agreement." (the message Stripe returned to a US platform, quoted in
  NativePHP/nativephp.com#525). Platforms elsewhere (Australia, Japan, Singapore, ...) transfer
  within their own country.
- The same guide's earlier edition and its "Country-specific considerations" page: a US platform
  pays connected accounts on the **recipient** service agreement (transfers capability only) in the
  countries of `RECIPIENT_COUNTRIES_FROM_US`, each in its local currency.
- Creating an account in a country the platform cannot serve is refused: "Connected accounts in JM
  cannot be created by platforms in US." (recorded in antiwork/gumroad#1876).
"""

from __future__ import annotations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The EEA (EU + Iceland, Liechtenstein, Norway).
EEA = _codes("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO")
# Platforms here reach connected accounts on the full agreement in all of these countries.
FULL_REGION = frozenset({"US", "CA", "GB", "CH"} | EEA)

# Countries where Stripe offers accounts on the full service agreement (its supported countries).
FULL_COUNTRIES = FULL_REGION | _codes("AU BR GI HK IN JP MY MX NZ SG TH AE")

# Where a US platform can pay an account on the recipient service agreement (cross-border payouts).
RECIPIENT_COUNTRIES_FROM_US = _codes(
    "AL DZ AO AG AR AM AU AT AZ BS BH BD BE BJ BT BO BA BW BN BG KH CA CL CO CR CI HR CY CZ DK DO EC EG SV "
    "EE ET FI FR GA GM DE GH GR GT GY HK HU IS IN ID IE IL IT JM JP JO KZ KE KW LA LV LI LT LU MO MG MY MT "
    "MU MX MD MC MN MA MZ NA NL NZ NE NG MK NO OM PK PA PY PE PH PL PT QA RO RW SM SA SN RS SG SK SI ZA KR "
    "ES LK LC SE CH TW TZ TH TT TN TR GB UY UZ VN"
)


def full_region(platform_country: str) -> frozenset[str]:
    """Where a platform in `platform_country` can pay accounts on the full service agreement."""
    return FULL_REGION if platform_country in FULL_REGION else frozenset({platform_country})


def recipient_countries(platform_country: str) -> frozenset[str]:
    """Where it can pay accounts on the recipient service agreement (cross-border payouts)."""
    if platform_country == "US":
        return RECIPIENT_COUNTRIES_FROM_US
    return full_region(platform_country)


def can_create(platform_country: str, country: str, agreement: str) -> bool:
    if agreement == "recipient":
        return country in recipient_countries(platform_country)
    return country in FULL_COUNTRIES


def can_pay(platform_country: str, country: str, agreement: str) -> bool:
    """Whether a transfer may go to an account in `country` on `agreement`."""
    if country in full_region(platform_country):
        return True
    return agreement == "recipient" and country in recipient_countries(platform_country)
