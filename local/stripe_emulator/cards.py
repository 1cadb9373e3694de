"""Stripe's test cards and the test PaymentMethod ids that stand for them.

Each card says what happens when it is set up (confirming a SetupIntent, attaching) and when it is
charged later. 4000000000000341 is Stripe's "attaches fine, every charge fails" card.

3-D Secure (Stripe's testing guide, "Authentication and setup"): 4000002760003184
(`pm_card_authenticationRequired`) requires authentication on every setup and payment, however it
was set up; 4000002500003155 (`pm_card_authenticationRequiredOnSetup`) requires it when set up and
for payments, except off-session payments once it was set up (and authenticated) through a
SetupIntent; 4000008260003178 requires authentication and then declines for insufficient funds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decline:
    code: str
    decline_code: str
    message: str


GENERIC = Decline("card_declined", "generic_decline", "Your card was declined.")
INSUFFICIENT = Decline("card_declined", "insufficient_funds", "Your card has insufficient funds.")
LOST = Decline("card_declined", "lost_card", "Your card was declined.")
STOLEN = Decline("card_declined", "stolen_card", "Your card was declined.")
EXPIRED = Decline("expired_card", "expired_card", "Your card has expired.")
CVC = Decline("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect.")
PROCESSING = Decline(
    "processing_error",
    "processing_error",
    "An error occurred while processing your card. Try again in a little bit.",
)
FRAUDULENT = Decline("card_declined", "fraudulent", "Your card was declined.")
# What an off-session payment that needs 3-D Secure records (last_payment_error).
AUTHENTICATION_REQUIRED = Decline(
    "authentication_required",
    "authentication_required",
    "Your card was declined. This transaction requires authentication.",
)
DECLINES = {
    d.decline_code: d for d in (GENERIC, INSUFFICIENT, LOST, STOLEN, EXPIRED, CVC, PROCESSING, FRAUDULENT)
}

# When a card asks for 3-D Secure: on every setup and payment, or on setup (and payments not
# covered by an authenticated setup).
ALWAYS = "always"
ON_SETUP = "setup"


@dataclass(frozen=True)
class TestCard:
    number: str
    brand: str
    funding: str = "credit"
    country: str = "US"
    setup_decline: Decline | None = None
    charge_decline: Decline | None = None
    authentication: str | None = None

    @property
    def last4(self) -> str:
        return self.number[-4:]


CARDS = {
    card.number: card
    for card in (
        TestCard("4242424242424242", "visa"),
        TestCard("4000056655665556", "visa", funding="debit"),
        TestCard("5555555555554444", "mastercard"),
        TestCard("2223003122003222", "mastercard"),
        TestCard("5200828282828210", "mastercard", funding="debit"),
        TestCard("378282246310005", "amex"),
        TestCard("6011111111111117", "discover"),
        TestCard("4000000760000002", "visa", country="BR"),
        TestCard("4000001240000000", "visa", country="CA"),
        TestCard("4000008260000000", "visa", country="GB"),
        TestCard("4000002760000016", "visa", country="DE"),
        TestCard("4000000000000002", "visa", setup_decline=GENERIC, charge_decline=GENERIC),
        TestCard("4000000000009995", "visa", setup_decline=INSUFFICIENT, charge_decline=INSUFFICIENT),
        TestCard("4000000000009987", "visa", setup_decline=LOST, charge_decline=LOST),
        TestCard("4000000000009979", "visa", setup_decline=STOLEN, charge_decline=STOLEN),
        TestCard("4000000000000069", "visa", setup_decline=EXPIRED, charge_decline=EXPIRED),
        TestCard("4000000000000127", "visa", setup_decline=CVC, charge_decline=CVC),
        TestCard("4000000000000119", "visa", setup_decline=PROCESSING, charge_decline=PROCESSING),
        TestCard("4000000000000341", "visa", charge_decline=GENERIC),
        TestCard("4100000000000019", "visa", charge_decline=FRAUDULENT),
        TestCard("4000002760003184", "visa", country="DE", authentication=ALWAYS),
        TestCard("4000002500003155", "visa", country="IE", authentication=ON_SETUP),
        TestCard(
            "4000008260003178", "visa", country="GB", authentication=ALWAYS, charge_decline=INSUFFICIENT
        ),
        TestCard("4000000000003220", "visa", authentication=ALWAYS),
    )
}

TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_mastercard_debit": "5200828282828210",
    "pm_card_amex": "378282246310005",
    "pm_card_discover": "6011111111111117",
    "pm_card_br": "4000000760000002",
    "pm_card_ca": "4000001240000000",
    "pm_card_gb": "4000008260000000",
    "pm_card_de": "4000002760000016",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_visa_chargeCustomerFail": "4000000000000341",
    "pm_card_radarBlock": "4100000000000019",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_authenticationRequiredOnSetup": "4000002500003155",
    "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": "4000008260003178",
    "pm_card_threeDSecure2Required": "4000000000003220",
}


def needs_authentication(card: TestCard, *, setup: bool, authenticated_setup: bool = False) -> bool:
    """Whether confirming a setup (or a payment) with this card asks the customer for 3-D Secure."""
    if card.authentication == ALWAYS:
        return True
    if card.authentication == ON_SETUP:
        return setup or not authenticated_setup
    return False


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, digit in enumerate(reversed(number)):
        value = int(digit)
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
