"""What the emulator accepts is what the pinned SDK says Stripe accepts (stripe 16.1.0, API
2026-10-28.endive): every route is mapped to the SDK's params TypedDict for its endpoint, a
parameter the SDK does not declare is Stripe's `parameter_unknown`, SDK enums are enforced, and
the emulator's own declarations may only name what the SDK declares (so drift cannot come back).
Parameters Stripe accepts but the emulator does not model are refused too, with a code of the
emulator's own."""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
import requests
import stripe

from local.stripe_emulator import sdk_params, server
from local.stripe_emulator.errors import NOT_IMPLEMENTED
from local.stripe_emulator.resources import build_router

pytestmark = pytest.mark.integration
TEST_API_KEY = "sk_test_deskhire_emulator"


def post(emu, path, data):
    return requests.post(
        emu.url + path, data=data, headers={"Authorization": f"Bearer {TEST_API_KEY}"}, timeout=5
    )


def _template(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def sdk_endpoints() -> dict[tuple[str, str], str]:
    """(method, path template) -> the params class the SDK itself sends for that call, read from
    the SDK's services (`client.v1.setup_intents.create(params: SetupIntentCreateParams)` POSTs
    `/v1/setup_intents`), falling back to the resource classes for calls no service has
    (`Charge.list_refunds`)."""
    root = pathlib.Path(stripe.__file__).parent
    found: dict[tuple[str, str], str] = {}
    for source in sorted(root.glob("_*.py")):
        is_service = source.name.endswith("_service.py")
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            arguments = node.args.args + node.args.kwonlyargs + ([node.args.kwarg] if node.args.kwarg else [])
            names = [
                re.search(r"(\w+Params)", ast.unparse(a.annotation))
                for a in arguments
                if a.arg == "params" and a.annotation is not None
            ]
            params_class = next((m.group(1) for m in names if m), None)
            if params_class is None:
                continue
            for call in ast.walk(node):
                if not (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "attr", "") in ("_request", "_static_request")
                    and len(call.args) >= 2
                ):
                    continue
                method, path = call.args[0], call.args[1]
                if isinstance(path, ast.Call):  # "/v1/x/{id}".format(...)
                    path = path.func.value
                if isinstance(method, ast.Constant) and isinstance(path, ast.Constant):
                    key = (method.value.upper(), _template(path.value))
                    if key not in found or is_service:
                        found[key] = params_class
    return found


def test_every_route_is_mapped_to_the_params_class_the_sdk_sends():
    endpoints = sdk_endpoints()
    wrong = []
    for route in build_router().routes:
        expected = endpoints.get((route.method, _template(route.template)))
        if expected != route.sdk:
            wrong.append(f"{route.method} {route.template}: mapped to {route.sdk}, the SDK sends {expected}")
    assert not wrong, "\n".join(wrong)


def test_every_declared_parameter_is_one_the_sdk_declares():
    """The emulator's hand-written specs only say what it implements and how to coerce: every key
    (nested too) and every enum value in them must be the SDK's."""
    problems = []
    for route in build_router().routes:
        spec = {**route.spec, **server.EXPAND} if "expand" in route.schema.fields else route.spec
        for problem in sdk_params.undeclared(spec, route.schema):
            problems.append(f"{route.method} {route.template} ({route.sdk}): {problem}")
    assert not problems, "\n".join(problems)


def test_the_sdk_walk_reads_every_params_class_of_the_sdk():
    """Not only the ones the emulator uses: a new annotation form in the SDK fails here first."""
    root = pathlib.Path(stripe.__file__).parent / "params"
    names = []
    for source in root.glob("_*_params.py"):
        names += re.findall(r"^class (\w+Params)\(RequestOptions\)", source.read_text(), re.M)
    assert len(names) > 250
    for name in names:
        walked = sdk_params.schema(name)
        # Request options travel as headers, never as parameters.
        assert not {"api_key", "idempotency_key", "stripe_account", "stripe_version"} & set(walked.fields), (
            name
        )
    create = sdk_params.schema("SetupIntentCreateParams")
    assert "allowed_payment_method_types" in create.fields and "payment_method_types" not in create.fields
    assert create.fields["usage"] == sdk_params.Choice(("off_session", "on_session"))
    assert sdk_params.schema("TransferCreateParams").required == {"currency", "destination"}
    created = sdk_params.schema("InvoiceListParams").fields["created"]
    assert isinstance(created, sdk_params.AnyOf)  # a range hash or a timestamp


def test_a_parameter_the_sdk_does_not_declare_is_stripes_parameter_unknown(stripe_emulator, stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as nested:
        stripe_client.v1.customers.create(params={"invoice_settings": {"colour": "red"}})
    assert nested.value.code == "parameter_unknown" and nested.value.param == "invoice_settings[colour]"
    assert nested.value.user_message == "Received unknown parameter: invoice_settings[colour]"
    # A request option in the body is no parameter either.
    answer = post(stripe_emulator, "/v1/customers", {"api_key": "sk_test_x"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "parameter_unknown"
    # In a list of hashes, with its index.
    customer = stripe_client.v1.customers.create()
    answer = post(
        stripe_emulator,
        "/v1/invoiceitems",
        {
            "customer": customer.id,
            "amount": "100",
            "currency": "usd",
            "period[start]": "1",
            "period[colour]": "x",
        },
    )
    assert answer.json()["error"]["param"] == "period[colour]"
    # On GET too: listing transfers by a filter the SDK does not have.
    answer = requests.get(
        stripe_emulator.url + "/v1/transfers",
        params={"status": "paid"},
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
        timeout=5,
    )
    assert (
        answer.status_code == 400
        and answer.json()["error"]["message"] == "Received unknown parameter: status"
    )
    # DELETE endpoints take no expand on this API version.
    with pytest.raises(stripe.InvalidRequestError, match="Received unknown parameter: expand"):
        stripe_client.v1.customers.delete(customer.id, params={"expand": ["customer"]})  # type: ignore[arg-type]


def test_every_endpoint_the_emulator_serves_refuses_a_parameter_the_sdk_does_not_declare(stripe_emulator):
    """Each of its routes, whatever the method: the check runs before the endpoint (and before the
    object is looked up), so no endpoint can take a parameter Stripe would refuse."""
    accepted = []
    routes = build_router().routes
    for route in routes:
        path = re.sub(r"\{\w+\}", "xx_missing", route.template)
        where = "params" if route.method in ("GET", "DELETE") else "data"
        answer = requests.request(
            route.method,
            stripe_emulator.url + path,
            headers={"Authorization": f"Bearer {TEST_API_KEY}"},
            timeout=5,
            **{where: {"zz_not_a_parameter": "1"}},
        )
        error = answer.json().get("error") or {}
        if answer.status_code != 400 or error.get("code") != "parameter_unknown":
            accepted.append(f"{route.method} {route.template}: {answer.status_code} {error.get('code')}")
    assert len(routes) > 60 and not accepted, "\n".join(accepted)


def test_what_stripe_accepts_but_the_emulator_does_not_model_is_refused_distinguishably(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.customers.create(params={"tax": {"ip_address": "127.0.0.1"}})
    assert refused.value.code == NOT_IMPLEMENTED and refused.value.param == "tax"
    assert "does not implement" in refused.value.user_message
    assert "Received unknown parameter" not in refused.value.user_message
    # A value of an SDK enum the emulator does not model.
    with pytest.raises(stripe.InvalidRequestError) as value:
        stripe_client.v1.payment_methods.list(params={"type": "sepa_debit"})
    assert value.value.code == NOT_IMPLEMENTED and value.value.param == "type"


def test_sdk_enums_are_enforced(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as usage:
        stripe_client.v1.setup_intents.create(params={"usage": "sometimes"})
    assert usage.value.param == "usage" and usage.value.http_status == 400
    assert usage.value.user_message == "Invalid usage: must be one of off_session or on_session"
    with pytest.raises(stripe.InvalidRequestError) as nested:
        stripe_client.v1.accounts.create(
            params={"type": "express", "controller": {"fees": {"payer": "nobody"}}}
        )
    assert nested.value.param == "controller[fees][payer]"
    assert "must be one of" in nested.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as listed:
        stripe_client.v1.setup_intents.create(
            params={"allowed_payment_method_types": ["card", "carrier_pigeon"]}
        )
    assert listed.value.param == "allowed_payment_method_types[1]"
    with pytest.raises(stripe.InvalidRequestError) as hashed:
        stripe_client.v1.customers.create(params={"email": {"a": "b"}})  # type: ignore[dict-item]
    assert hashed.value.param == "email"
