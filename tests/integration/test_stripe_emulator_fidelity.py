"""Every object the emulator returns is one the pinned SDK (stripe 16.1.0, API 2026-10-28.endive)
can describe, and carries every top-level field of Stripe's own example of it.

1. Against the SDK's class annotations (generated from Stripe's OpenAPI spec, like the fixtures):
   every annotated top-level field is present (except the few Stripe only includes on request,
   `ONLY_WHEN_EXPANDED`), each value has the annotated JSON type, values of an annotated enum
   (`Literal[...]`, also in the SDK's open `Literal[...]|str` form) are among the listed ones, and
   null appears only where the annotation is Optional. Nested objects are checked the same way
   for the fields present (Stripe leaves out the sub-objects of other payment method types), and a
   non-Optional nested field must be there. Expanded objects, list items and the object inside an
   event are checked against their own classes.
2. Against Stripe's fixtures (/work/shared/stripe/fixtures3.json, from Stripe's OpenAPI
   repository, or $DESKHIRE_STRIPE_FIXTURES): every top-level field of the example is present
   with the same JSON type wherever the example is not null.

Each object is made through the real SDK against the emulator, in its usual states and in the
failure paths that build their own shapes (a declined setup, a failed charge, a PaymentIntent
waiting for 3-D Secure, a pending refund).
"""

from __future__ import annotations

import decimal
import functools
import importlib
import json
import os
import re
import types
import typing
from pathlib import Path

import pytest
import stripe
from stripe._list_object import ListObject
from stripe._search_result_object import SearchResultObject
from stripe._stripe_object import StripeObject, UntypedStripeObject

pytestmark = pytest.mark.integration

FIXTURES = Path(os.environ.get("DESKHIRE_STRIPE_FIXTURES", "/work/shared/stripe/fixtures3.json"))
if not FIXTURES.exists():
    FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "stripe" / "fixtures3.json"

SDK_CLASSES = {
    "customer": stripe.Customer,
    "setup_intent": stripe.SetupIntent,
    "payment_method": stripe.PaymentMethod,
    "invoice": stripe.Invoice,
    "invoiceitem": stripe.InvoiceItem,
    "invoice_payment": stripe.InvoicePayment,
    "payment_intent": stripe.PaymentIntent,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "account": stripe.Account,
    "account_link": stripe.AccountLink,
    "transfer": stripe.Transfer,
    "transfer_reversal": stripe.TransferReversal,
    "balance": stripe.Balance,
    "balance_transaction": stripe.BalanceTransaction,
    "payout": stripe.Payout,
    "event": stripe.Event,
}
# Fields the SDK annotates that Stripe sends only when asked (`expand[]=refunds`): absent by default.
ONLY_WHEN_EXPANDED = {"charge": {"refunds"}, "invoice": {"payments"}}
# Top-level fields Stripe's fixtures still show that the SDK no longer annotates, sent as null.
FIXTURE_ONLY = {"invoice": {"subscription"}}


@functools.cache
def fixtures() -> dict[str, dict]:
    return json.loads(FIXTURES.read_text())["resources"]


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def nullable_in_stripe(kind: str, field: str) -> bool:
    annotation = SDK_CLASSES[kind].__annotations__.get(field)
    # A field the SDK no longer models (invoice.subscription) is one Stripe sends only as null.
    return annotation is None or "Optional" in str(annotation) or "NoneType" in str(annotation)


# -- the SDK's annotations ---------------------------------------------------------------------


def fields_of(cls: type) -> dict[str, typing.Any]:
    return {
        name: annotation
        for name, annotation in cls.__annotations__.items()
        if not name.startswith("_") and typing.get_origin(annotation) is not typing.ClassVar
    }


@functools.cache
def aliases() -> dict[str, tuple[str, str]]:
    """The SDK's TYPE_CHECKING-only import aliases (`from stripe._card import Card as CardResource`)."""
    found = {}
    for source in Path(stripe.__file__).parent.glob("_*.py"):
        for module, real, alias in re.findall(
            r"from (stripe[\w.]*) import (\w+) as (\w+)", source.read_text()
        ):
            if real != alias:
                found[alias] = (module, real)
    return found


NAMESPACES = ("", "test_helpers", "billing", "checkout", "radar", "tax", "issuing", "treasury", "terminal")


def resolve(annotation):
    """A forward reference (`ExpandableField["TestClock"]`) as the SDK class it names."""
    if not isinstance(annotation, typing.ForwardRef):
        return annotation
    name = annotation.__forward_arg__
    if name in aliases():
        module, real = aliases()[name]
        return getattr(importlib.import_module(module), real)
    for namespace in NAMESPACES:
        module = getattr(stripe, namespace) if namespace else stripe
        try:
            return getattr(module, name)
        except AttributeError:
            continue
    raise LookupError(f"no SDK class {name}")


def is_optional(annotation) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def object(self, cls: type, data: dict, path: str, *, top: bool) -> None:
        """Fields Stripe always sends must be there: those the SDK does not mark Optional, and, on
        an API object, those in Stripe's own example of it (the OpenAPI fixtures list the required
        properties). An Optional field outside the example (`deleted`, a PaymentMethod's hashes
        for other types, `customer.sources`) may be absent, and is checked when present."""
        fields = fields_of(cls)
        kind = getattr(cls, "OBJECT_NAME", "") if top else ""
        skip = ONLY_WHEN_EXPANDED.get(kind, set())
        always = set(fixtures().get(kind, {})) if kind else set()
        for name, annotation in fields.items():
            if name in data:
                self.value(annotation, data[name], f"{path}.{name}")
            elif name in skip:
                continue
            elif not is_optional(annotation) or name in always:
                self.problems.append(f"{path}.{name}: missing (annotated {annotation!r})")
        if top:
            extra = set(data) - set(fields) - FIXTURE_ONLY.get(getattr(cls, "OBJECT_NAME", ""), set())
            for name in sorted(extra):
                self.problems.append(f"{path}.{name}: the SDK does not annotate this field")

    def value(self, annotation, value, path: str) -> None:
        annotation = resolve(annotation)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (typing.Union, types.UnionType):
            options = [resolve(a) for a in args]
            if value is None:
                if type(None) not in options:
                    self.problems.append(f"{path}: null, but {annotation!r} is not Optional")
                return
            options = [o for o in options if o is not type(None)]
            literals = [o for o in options if typing.get_origin(o) is typing.Literal]
            if literals and str in options and isinstance(value, str):
                self.value(literals[0], value, path)  # the SDK's open enum: a listed value
                return
            self.one_of(options, value, path)
            return
        if value is None:
            self.problems.append(f"{path}: null, but {annotation!r} is not Optional")
            return
        if origin is typing.Literal:
            if value not in args:
                self.problems.append(f"{path}: {value!r} is not one of {list(args)}")
            return
        if annotation is typing.Any:
            return
        if origin is ListObject:
            if not (
                isinstance(value, dict)
                and value.get("object") == "list"
                and isinstance(value.get("data"), list)
            ):
                self.problems.append(f"{path}: expected a list object, got {json_type(value)}")
                return
            for i, item in enumerate(value["data"]):
                self.value(args[0], item, f"{path}.data[{i}]")
            return
        if origin is list:
            if not isinstance(value, list):
                self.problems.append(f"{path}: expected an array, got {json_type(value)}")
                return
            for i, item in enumerate(value):
                self.value(args[0], item, f"{path}[{i}]")
            return
        if origin in (UntypedStripeObject, dict) or annotation in (UntypedStripeObject, dict):
            if not isinstance(value, dict):
                self.problems.append(f"{path}: expected a hash, got {json_type(value)}")
            return
        if isinstance(annotation, type) and issubclass(annotation, StripeObject):
            if not isinstance(value, dict):
                self.problems.append(
                    f"{path}: expected an object ({annotation.__name__}), got {json_type(value)}"
                )
                return
            self.object(annotation, value, path, top=hasattr(annotation, "OBJECT_NAME") and "id" in value)
            return
        # Decimal fields (quantity_decimal) travel as decimal strings.
        expected = {
            str: "string",
            int: "number",
            float: "number",
            bool: "boolean",
            decimal.Decimal: "string",
        }.get(annotation)
        if expected is None:
            self.problems.append(f"{path}: cannot check annotation {annotation!r}")
        elif json_type(value) != expected or (annotation is int and isinstance(value, float)):
            self.problems.append(f"{path}: expected {expected}, got {json_type(value)} ({value!r})")

    def one_of(self, options, value, path: str) -> None:
        """A union such as ExpandableField (an id or the expanded object) or Union[BankAccount, Card]."""
        if len(options) == 1:
            self.value(options[0], value, path)
            return
        if isinstance(value, dict) and value.get("object"):
            for option in options:
                if getattr(option, "OBJECT_NAME", None) == value["object"]:
                    self.value(option, value, path)
                    return
        for option in options:
            trial = Checker()
            trial.value(option, value, path)
            if not trial.problems:
                return
        self.problems.append(f"{path}: {json_type(value)} {value!r:.60} matches none of {options!r}")


def check_against_sdk(kind: str, data: dict, label: str, checker: Checker) -> None:
    checker.object(SDK_CLASSES[kind], data, label, top=True)
    if kind == "event":
        inner = data["data"]["object"]
        cls = next((c for c in SDK_CLASSES.values() if inner.get("object") == c.OBJECT_NAME), None)
        if cls is not None:
            checker.object(cls, inner, f"{label}.data.object", top=True)


def raw(obj) -> dict:
    """The JSON the emulator sent for a top-level SDK object."""
    return obj.last_response.data


def make_all(client, emu) -> dict[str, list[dict]]:
    """One of each object kind in its usual state (first in each list), and the other states the
    emulator builds differently."""
    made: dict[str, list[dict]] = {kind: [] for kind in SDK_CLASSES}

    def keep(kind: str, obj) -> None:
        made[kind].append(raw(obj) if hasattr(obj, "last_response") else obj)

    customer = client.v1.customers.create(params={"email": "fidelity@example.com", "name": "Fidelity Co"})
    keep("customer", customer)
    seti = client.v1.setup_intents.create(params={"customer": customer.id, "usage": "off_session"})
    seti = client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_visa"})
    keep("setup_intent", seti)
    keep("payment_method", client.v1.payment_methods.retrieve(seti.payment_method))
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": seti.payment_method}}
    )
    invoice = client.v1.invoices.create(params={"customer": customer.id, "metadata": {"order": "F-1"}})
    keep("invoice", invoice)  # a draft
    item = client.v1.invoice_items.create(
        params={
            "customer": customer.id,
            "invoice": invoice.id,
            "amount": 12000,
            "currency": "usd",
            "description": "Hours",
        }
    )
    keep("invoiceitem", item)
    keep("invoice", client.v1.invoices.finalize_invoice(invoice.id))
    made["invoice"].insert(0, raw(client.v1.invoices.pay(invoice.id)))
    keep("invoice", client.v1.invoices.retrieve(invoice.id, params={"expand": ["payments"]}))
    payments = client.v1.invoice_payments.list(params={"invoice": invoice.id})
    keep("invoice_payment", payments.last_response.data["data"][0])
    pi = client.v1.payment_intents.retrieve(payments.data[0].payment.payment_intent)
    keep("payment_intent", pi)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    keep("charge", charge)
    keep(
        "charge", client.v1.charges.retrieve(charge.id, params={"expand": ["refunds", "balance_transaction"]})
    )
    keep("balance_transaction", client.v1.balance_transactions.retrieve(charge.balance_transaction))
    keep("refund", client.v1.refunds.create(params={"charge": charge.id, "amount": 1000}))
    account = client.v1.accounts.create(
        params={"type": "express", "country": "US", "email": "agent@example.com"}
    )
    keep("account", account)  # before onboarding
    keep(
        "account_link",
        client.v1.account_links.create(
            params={
                "account": account.id,
                "type": "account_onboarding",
                "refresh_url": "https://example.com/refresh",
                "return_url": "https://example.com/return",
            }
        ),
    )
    emu.complete_onboarding(account.id)
    made["account"].insert(0, raw(client.v1.accounts.retrieve(account.id)))
    keep("account", client.v1.accounts.retrieve_current())
    transfer = client.v1.transfers.create(
        params={"amount": 5000, "currency": "usd", "destination": account.id, "source_transaction": charge.id}
    )
    emu.advance_time(2 * 24 * 3600)  # the transferred money becomes available on the account
    keep("transfer_reversal", client.v1.transfers.reversals.create(transfer.id, params={"amount": 500}))
    keep("transfer", client.v1.transfers.retrieve(transfer.id))
    keep("balance", client.v1.balance.retrieve())
    keep("balance", client.v1.balance.retrieve(options={"stripe_account": account.id}))
    on_behalf = {"stripe_account": account.id}
    keep("charge", client.v1.charges.retrieve(transfer.destination_payment, options=on_behalf))
    # payouts to the account's bank: on their way, paid, and failed (the money back in the balance)
    failing, paying_out = (emu.create_payout(account.id, amount=amount) for amount in (1000, 500))
    keep("payout", client.v1.payouts.retrieve(failing["id"], options=on_behalf))
    emu.pay_payout(paying_out["id"])
    emu.fail_payout(failing["id"], failure_code="no_account")
    made["payout"].insert(0, raw(client.v1.payouts.retrieve(paying_out["id"], options=on_behalf)))
    keep("payout", client.v1.payouts.retrieve(failing["id"], options=on_behalf))
    keep("payout", client.v1.payouts.list(options=on_behalf).last_response.data["data"][0])
    failure = client.v1.payouts.retrieve(
        failing["id"], params={"expand": ["failure_balance_transaction"]}, options=on_behalf
    )
    keep("balance_transaction", raw(failure)["failure_balance_transaction"])
    events = client.v1.events.list(params={"type": "invoice.paid"})
    keep("event", client.v1.events.retrieve(events.data[0].id))

    # The failure paths build their own shapes.
    declined = client.v1.setup_intents.create(params={"customer": customer.id})
    with pytest.raises(stripe.CardError):
        client.v1.setup_intents.confirm(declined.id, params={"payment_method": "pm_card_chargeDeclined"})
    keep("setup_intent", client.v1.setup_intents.retrieve(declined.id))
    action = client.v1.setup_intents.create(
        params={"customer": customer.id, "allowed_payment_method_types": ["card"]}
    )
    keep(
        "setup_intent",
        client.v1.setup_intents.confirm(
            action.id,
            params={"payment_method": "pm_card_authenticationRequired", "return_url": "https://x.test/"},
        ),
    )
    failing = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", params={"customer": customer.id})
    unpaid = client.v1.invoices.create(params={"customer": customer.id, "default_payment_method": failing.id})
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": unpaid.id, "amount": 700})
    with pytest.raises(stripe.CardError):
        client.v1.invoices.pay(unpaid.id)
    keep("charge", client.v1.charges.list(params={"customer": customer.id}).last_response.data["data"][0])
    three_ds = client.v1.payment_methods.attach(
        "pm_card_authenticationRequired", params={"customer": customer.id}
    )
    waiting = client.v1.invoices.create(
        params={"customer": customer.id, "default_payment_method": three_ds.id}
    )
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": waiting.id, "amount": 800})
    with pytest.raises(stripe.CardError):
        client.v1.invoices.pay(waiting.id)
    waiting_pi = (
        client.v1.invoice_payments.list(params={"invoice": waiting.id}).data[0].payment.payment_intent
    )
    keep("payment_intent", client.v1.payment_intents.retrieve(waiting_pi))
    keep(
        "refund", client.v1.refunds.create(params={"charge": charge.id})
    )  # leaves the balance negative: pending
    for event in client.v1.events.list(params={"limit": 100}).last_response.data["data"]:
        made["event"].append(event)
    return made


def test_every_object_matches_the_sdk_annotations(stripe_emulator, stripe_client):
    made = make_all(stripe_client, stripe_emulator)
    assert all(made[kind] for kind in SDK_CLASSES), "the test must make one of each object kind"
    assert (
        made["refund"][-1]["status"] == "pending"
        and made["payment_intent"][-1]["status"] == "requires_action"
    )
    checker = Checker()
    for kind, objects in made.items():
        for i, data in enumerate(objects):
            check_against_sdk(kind, data, f"{kind}[{i}]", checker)
    assert not checker.problems, "\n".join(checker.problems)


def test_the_checker_refuses_what_the_sdk_does_not_describe(stripe_emulator, stripe_client):
    good = make_all(stripe_client, stripe_emulator)
    invoice, charge = dict(good["invoice"][0]), dict(good["charge"][0])
    broken = {
        "status": "bogus",  # outside the enum
        "amount_due": "12",  # a string for an integer
        "collection_method": None,  # null where the SDK does not allow it
        "made_up": 1,  # a field the SDK does not know
    }
    checker = Checker()
    check_against_sdk("invoice", {**invoice, **broken}, "invoice", checker)
    without_lines = {k: v for k, v in invoice.items() if k != "lines"}
    check_against_sdk("invoice", without_lines, "bare", checker)
    check_against_sdk("charge", {**charge, "outcome": {**charge["outcome"], "type": 7}}, "charge", checker)
    found = "\n".join(checker.problems)
    for expected in (
        "invoice.status: 'bogus' is not one of",
        "invoice.amount_due: expected number",
        "invoice.collection_method: null",
        "invoice.made_up: the SDK does not annotate",
        "bare.lines: missing",
        "charge.outcome.type: expected string",
    ):
        assert expected in found, f"{expected!r} not reported:\n{found}"


def test_fields_stripe_sends_only_when_asked(stripe_emulator, stripe_client):
    made = make_all(stripe_client, stripe_emulator)
    for kind, names in ONLY_WHEN_EXPANDED.items():
        assert not names & set(made[kind][0]), f"{kind} includes {names} without expand"
        assert any(names <= set(data) for data in made[kind]), f"{kind}: expand[] does not include {names}"


def test_every_object_carries_every_field_of_stripes_fixture(stripe_emulator, stripe_client):
    fixtures = json.loads(FIXTURES.read_text())["resources"]
    made = make_all(stripe_client, stripe_emulator)
    problems = []
    for kind, objects in made.items():
        for data in objects:
            if "object" in fixtures[kind]:
                assert data.get("object") == kind, f"{kind}: object is {data.get('object')!r}"
            for name, example in fixtures[kind].items():
                if name in ONLY_WHEN_EXPANDED.get(kind, ()):
                    continue
                if name not in data:
                    problems.append(f"{kind} {data.get('id')}: missing field {name!r}")
                    continue
                want, have = json_type(example), json_type(data[name])
                if want == "null" or want == have:
                    continue
                if want == "string" and have == "object" and "object" in data[name]:
                    continue  # an id the request expanded
                if have == "null" and nullable_in_stripe(kind, name):
                    continue
                problems.append(f"{kind}.{name}: Stripe's fixture has {want}, the emulator answered {have}")
    assert not problems, "\n".join(problems)


def test_every_kind_the_emulator_stores_is_checked_here():
    """A kind of object added to the emulator must be added to SDK_CLASSES (and so to make_all,
    which must make one of each), or this fails: the fidelity check covers every kind it returns."""
    from local.stripe_emulator import views
    from local.stripe_emulator.resources import build_router

    build_router()
    assert set(views.KINDS) <= set(SDK_CLASSES), set(views.KINDS) - set(SDK_CLASSES)


def test_every_event_carries_an_object_the_sdk_describes(stripe_emulator, stripe_client):
    """The object inside each event the emulator sent is one of the kinds checked above (an event
    about an object of another kind would otherwise go unchecked)."""
    make_all(stripe_client, stripe_emulator)
    kinds = {cls.OBJECT_NAME for cls in SDK_CLASSES.values()}
    inner = {event["data"]["object"].get("object") for event in stripe_emulator.events()}
    assert inner and inner <= kinds, inner - kinds


def test_deleted_objects_lists_and_search_results_have_stripes_shape(stripe_emulator, stripe_client):
    """What DELETE answers (Stripe's `deleted_<kind>`: id, object, deleted), a deleted customer
    retrieved again, and the list and search-result envelopes, against the SDK and the fixtures."""
    client = stripe_client
    customer = client.v1.customers.create(params={"email": "gone@example.com"})
    invoice = client.v1.invoices.create(params={"customer": customer.id})
    item = client.v1.invoice_items.create(params={"customer": customer.id, "amount": 500, "currency": "usd"})
    account = client.v1.accounts.create(params={"type": "express", "country": "US"})
    deleted = {
        "invoiceitem": raw(client.v1.invoice_items.delete(item.id)),
        "invoice": raw(client.v1.invoices.delete(invoice.id)),
        "account": raw(client.v1.accounts.delete(account.id)),
        "customer": raw(client.v1.customers.delete(customer.id)),
    }
    again = client.v1.customers.retrieve(customer.id)
    problems = []
    for kind, data in [*deleted.items(), ("customer", raw(again))]:
        fixture = fixtures()[f"deleted_{kind}"]
        if set(data) != set(fixture):
            problems.append(f"deleted {kind}: fields {sorted(data)}, Stripe's {sorted(fixture)}")
        checker = Checker()
        for name, value in data.items():
            annotation = fields_of(SDK_CLASSES[kind]).get(name)
            if annotation is None:
                problems.append(f"deleted {kind}.{name}: the SDK does not annotate it")
            else:
                checker.value(annotation, value, f"deleted {kind}.{name}")
        problems += checker.problems
        if data.get("deleted") is not True:
            problems.append(f"deleted {kind}: deleted is {data.get('deleted')!r}")

    listed = client.v1.invoices.list(params={"limit": 1}).last_response.data
    found = client.v1.invoices.search(params={"query": "status:'draft'"}).last_response.data
    for label, envelope, cls, object_name in (
        ("list", listed, ListObject, "list"),
        ("search", found, SearchResultObject, "search_result"),
    ):
        expected = set(fields_of(cls)) | {"object", "url"}
        if set(envelope) != expected:
            problems.append(f"{label}: fields {sorted(envelope)}, the SDK's {sorted(expected)}")
        if envelope.get("object") != object_name or not isinstance(envelope.get("has_more"), bool):
            problems.append(f"{label}: {envelope.get('object')!r}, has_more {envelope.get('has_more')!r}")
    assert not problems, "\n".join(problems)
