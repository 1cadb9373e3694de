"""The gateway reads every page of a Stripe list: an invoice with more than 100 lines, looked at
after the key window, must not look half-itemized (its missing lines would be added twice)."""

from types import SimpleNamespace

from chalicelib.payments.gateway import StripeGateway


class FakeList:
    """Stripe's list contract: newest first, `limit`, `starting_after`, `has_more`."""

    def __init__(self, objects):
        self.objects, self.calls = objects, []

    def __call__(self, params):
        self.calls.append(dict(params))
        start = 0
        if "starting_after" in params:
            start = next(i for i, o in enumerate(self.objects) if o["id"] == params["starting_after"]) + 1
        page = self.objects[start : start + params["limit"]]
        listed = {"data": page, "has_more": start + len(page) < len(self.objects)}
        return SimpleNamespace(to_dict=lambda: listed)  # as a stripe.ListObject answers


def gateway_with(items):
    listing = FakeList(items)
    client = SimpleNamespace(v1=SimpleNamespace(invoice_items=SimpleNamespace(list=listing)))
    return StripeGateway("sk_test_x", client=client), listing


def test_every_item_of_a_long_invoice_is_read():
    items = [{"id": f"ii_{n:03}", "metadata": {"deskhire_line": str(n)}} for n in range(250)]
    gateway, listing = gateway_with(items)
    assert [i["id"] for i in gateway.invoice_items("in_1")] == [i["id"] for i in items]
    assert [c.get("starting_after") for c in listing.calls] == [None, "ii_099", "ii_199"]
    assert all(c["invoice"] == "in_1" and c["limit"] == 100 for c in listing.calls)


def test_a_short_list_is_one_request():
    gateway, listing = gateway_with([{"id": "ii_1"}])
    assert len(gateway.invoice_items("in_1")) == 1 and len(listing.calls) == 1
