"""What a failed payout to an agent's bank means, in plain words (issue 14, item 13)."""

from chalicelib.domain import payouts as rules
from local.stripe_emulator.resources.payouts import FAILURES


def test_every_failure_stripe_sends_has_its_own_words_and_what_to_do():
    for code in FAILURES:  # the codes the emulator fails payouts with: Stripe's
        what, to_do = rules.bank_failure(code)
        assert (what, to_do) != rules.bank_failure("something_new"), code
        assert to_do and not to_do.endswith("."), code  # a clause the page and the mail finish


def test_the_stripe_side_is_not_the_agents_to_fix():
    what, to_do = rules.bank_failure("insufficient_funds")
    assert "operators" in to_do and "bank details" not in to_do
    assert rules.bank_failure(None) == rules.bank_failure("something_new")
    assert "bank details" in rules.bank_failure(None)[1]
