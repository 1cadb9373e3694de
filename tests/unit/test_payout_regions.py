"""Where deskhire's platform can pay agents exists twice: deskhire's own rule
(chalicelib/domain/payouts.py: which service agreement an agent's account gets, and whether the
agent can be paid at all) and the Stripe emulator's model of Stripe (local/stripe_emulator/countries.py:
which accounts Stripe lets the platform create, and which transfers it lets through). The emulator
is the model of Stripe; deskhire's rule must choose what Stripe accepts, for every platform country
Stripe offers and every country deskhire pays out to, so the two cannot drift apart silently."""

import pytest

from chalicelib.domain import payouts as ours
from chalicelib.services.payouts import COUNTRIES, countries_for
from local.stripe_emulator import countries as stripe

PLATFORMS = sorted(stripe.FULL_COUNTRIES)


def test_the_region_is_the_same_on_both_sides():
    assert ours.EEA == stripe.EEA
    assert ours.CROSS_BORDER_REGION == stripe.FULL_REGION
    for platform in PLATFORMS:
        assert ours.platform_region(platform) == stripe.full_region(platform), platform


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_agent_deskhire_pays_gets_an_account_stripe_creates_and_pays(platform):
    for country in sorted(COUNTRIES):
        agreement = ours.service_agreement(country, platform_country=platform)
        payable = ours.can_pay_out(country, platform_country=platform)
        if payable:
            assert stripe.can_create(platform, country, agreement), (platform, country, agreement)
            assert stripe.can_pay(platform, country, agreement), (platform, country, agreement)
            # the full agreement exactly where Stripe pays it: elsewhere a transfer would be refused
            assert (agreement is ours.ServiceAgreement.FULL) == stripe.can_pay(platform, country, "full"), (
                platform,
                country,
            )
        else:
            # deskhire refuses before Stripe would: no agreement gets this agent paid
            assert not any(
                stripe.can_create(platform, country, a) and stripe.can_pay(platform, country, a)
                for a in ("full", "recipient")
            ), (platform, country)
        assert (country in countries_for(platform)) == payable


def test_a_us_platform_pays_every_cross_border_country_stripe_lists():
    # the outsourcing countries agents sign up from, and Brazil, which Stripe does not pay from the US
    us = countries_for("US")
    assert {"IN", "PH", "NG", "KE", "MX", "CO", "ZA", "PT", "JP"} <= set(us)
    assert set(us) == ours.payable_countries("US") == stripe.FULL_REGION | stripe.RECIPIENT_COUNTRIES_FROM_US
    assert "BR" not in us and len(us) == 118
    assert "JP" not in countries_for("GB") and "US" in countries_for("GB")
    assert set(countries_for("BR")) == {"BR"}
