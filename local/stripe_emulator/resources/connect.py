"""Connect accounts (Express, or the equivalent `controller[...]` settings) and account links.

A new account can do nothing yet: capabilities `inactive`, `requirements.currently_due` full,
charges and payouts disabled. The onboarding page behind an account link (pages.py) completes it
through `complete_onboarding`, which turns the requested capabilities `active` and announces
`account.updated` on the Connect webhook endpoint. Links expire after five minutes and work once,
as on Stripe: a used or expired link sends the browser to `refresh_url`.
"""

from __future__ import annotations

from typing import Any

from .. import countries, money, views
from ..context import Ctx
from ..errors import invalid, no_such
from ..events import emit_update
from ..params import BOOL, CURRENCY, LIST, METADATA, Enum, Values, in_range, require
from ..store import random_token

LINK_LIFETIME = 300
REQUIREMENTS = [
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "individual.address.city",
    "individual.address.line1",
    "individual.address.postal_code",
    "individual.dob.day",
    "individual.dob.month",
    "individual.dob.year",
    "individual.email",
    "individual.first_name",
    "individual.last_name",
    "individual.phone",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
CAPABILITY = {"requested": BOOL}
BUSINESS_PROFILE = {
    "mcc": str,
    "name": str,
    "product_description": str,
    "support_email": str,
    "support_phone": str,
    "support_url": str,
    "url": str,
}
UPDATE = {
    "email": str,
    "metadata": METADATA,
    "business_type": Enum(("company", "government_entity", "individual", "non_profit")),
    "business_profile": BUSINESS_PROFILE,
    "capabilities": {"card_payments": CAPABILITY, "transfers": CAPABILITY},
    "default_currency": CURRENCY,
}
CREATE = {
    **UPDATE,
    "type": Enum(("custom", "express", "standard")),
    "country": str,
    "controller": {
        "fees": {"payer": Enum(("account", "application"))},
        "losses": {"payments": Enum(("application", "stripe"))},
        "requirement_collection": Enum(("application", "stripe")),
        "stripe_dashboard": {"type": Enum(("express", "full", "none"))},
    },
    "tos_acceptance": {
        "service_agreement": Values(("full", "recipient")),
        "date": int,
        "ip": str,
        "user_agent": str,
    },
}


def _requirements(due: list[str], disabled_reason: str | None) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def _controller(p: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    given = p.get("controller") or {}
    kind = p.get("type")
    dashboard = (given.get("stripe_dashboard") or {}).get("type")
    if kind is None:
        kind = {"express": "express", "full": "standard"}.get(dashboard or "", "none")
    dashboard = dashboard or {"express": "express", "standard": "full", "custom": "none"}.get(kind, "none")
    return kind, {
        "fees": {
            "payer": (given.get("fees") or {}).get("payer")
            or ("account" if kind == "standard" else "application")
        },
        "is_controller": True,
        "losses": {
            "payments": (given.get("losses") or {}).get("payments")
            or ("stripe" if kind == "standard" else "application")
        },
        "requirement_collection": given.get("requirement_collection")
        or ("application" if kind == "custom" else "stripe"),
        "stripe_dashboard": {"type": dashboard},
        "type": "application",
    }


def _business_profile(given: dict[str, Any] | None, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    profile = existing or {
        "annual_revenue": None,
        "estimated_worker_count": None,
        "mcc": None,
        "minority_owned_business_designation": None,
        "name": None,
        "product_description": None,
        "support_address": None,
        "support_email": None,
        "support_phone": None,
        "support_url": None,
        "url": None,
    }
    for key, value in (given or {}).items():
        profile[key] = value
    return profile


def create(ctx: Ctx):
    p = ctx.params
    if p.get("type") is None and p.get("controller") is None:
        raise invalid("You must provide either `type` or `controller` to create an account.", param="type")
    country = (p.get("country") or ctx.emu.platform_country).upper()
    if country not in money.COUNTRY_CURRENCY:
        raise invalid(
            f"Country '{country}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'. A full list of country codes is available at https://stripe.com/docs/connect/supported-countries",
            param="country",
        )
    kind, controller = _controller(p)
    requested = p.get("capabilities")
    if requested is None:
        requested = {"card_payments": {"requested": True}, "transfers": {"requested": True}}
    service = (p.get("tos_acceptance") or {}).get("service_agreement") or "full"
    if service == "recipient" and (requested.get("card_payments") or {}).get("requested"):
        # Accounts on the recipient service agreement can only receive transfers.
        raise invalid(
            "The `card_payments` capability cannot be requested for accounts on the `recipient` service agreement.",
            param="capabilities[card_payments]",
        )
    if not countries.can_create(ctx.emu.platform_country, country, service):
        raise invalid(
            f"Connected accounts in {country} cannot be created by platforms in {ctx.emu.platform_country}. Please "
            "contact us via https://support.stripe.com/contact if you need further assistance.",
            param="country",
        )
    capabilities = {name: "inactive" for name, ask in requested.items() if (ask or {}).get("requested")}
    if not capabilities:
        raise invalid("You must request at least one capability for this account.", param="capabilities")
    store = ctx.store
    acct_id = store.new_id("acct", 16)
    acct = {
        "id": acct_id,
        "object": "account",
        "business_profile": _business_profile(p.get("business_profile")),
        "business_type": p.get("business_type"),
        "capabilities": capabilities,
        "charges_enabled": False,
        "controller": controller,
        "country": country,
        "created": ctx.now,
        "default_currency": p.get("default_currency") or money.COUNTRY_CURRENCY[country],
        "details_submitted": False,
        "email": p.get("email"),
        "external_accounts": None,
        "future_requirements": _requirements([], None),
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "payouts_enabled": False,
        "requirements": _requirements(REQUIREMENTS, "requirements.past_due"),
        "settings": _settings(),
        "tos_acceptance": {"date": None, "ip": None, "service_agreement": service, "user_agent": None},
        "type": kind,
        "_external_accounts": [],
    }
    store.add(acct)
    return acct


def _settings() -> dict[str, Any]:
    return {
        "bacs_debit_payments": {"display_name": None, "service_user_number": None},
        "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
        "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
        "card_payments": {
            "decline_on": {"avs_failure": False, "cvc_failure": False},
            "statement_descriptor_prefix": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "dashboard": {"display_name": None, "timezone": "Etc/UTC"},
        "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": "offer"},
        "payments": {
            "statement_descriptor": None,
            "statement_descriptor_kana": None,
            "statement_descriptor_kanji": None,
        },
        "payouts": {
            "debit_negative_balances": True,
            "schedule": {"delay_days": 2, "interval": "daily"},
            "statement_descriptor": None,
        },
        "sepa_debit_payments": {},
    }


def _render(ctx: Ctx, obj: dict, out: dict) -> None:
    out["external_accounts"] = {
        "object": "list",
        "data": [dict(bank) for bank in obj.get("_external_accounts", [])],
        "has_more": False,
        "total_count": len(obj.get("_external_accounts", [])),
        "url": f"/v1/accounts/{obj['id']}/external_accounts",
    }


def get_account(
    ctx: Ctx, acct_id: str | None, *, param: str = "account", status: int = 404
) -> dict[str, Any]:
    acct = ctx.store.get(acct_id)
    if acct is None or acct.get("object") != "account" or acct.get("_deleted"):
        raise no_such("account", str(acct_id), param=param, status=status)
    return acct


def platform_account(ctx: Ctx) -> dict[str, Any]:
    emu = ctx.emu
    return {
        "id": emu.platform_account_id,
        "object": "account",
        "business_profile": _business_profile({"name": emu.platform_name}),
        "business_type": "company",
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": True,
        "controller": {"type": "account"},
        "country": emu.platform_country,
        "created": 1700000000,
        "default_currency": emu.platform_currency,
        "details_submitted": True,
        "email": None,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/accounts/{emu.platform_account_id}/external_accounts",
        },
        "future_requirements": _requirements([], None),
        "metadata": {},
        "payouts_enabled": True,
        "requirements": _requirements([], None),
        "settings": _settings(),
        "tos_acceptance": {
            "date": 1700000000,
            "ip": "127.0.0.1",
            "service_agreement": "full",
            "user_agent": None,
        },
        "type": "standard",
    }


def retrieve(ctx: Ctx):
    if ctx.account and ctx.path["id"] != ctx.account:
        raise no_such("account", ctx.path["id"])
    return get_account(ctx, ctx.path["id"])


def retrieve_current(ctx: Ctx):
    if ctx.account:
        return get_account(ctx, ctx.account)
    return platform_account(ctx)


def update(ctx: Ctx):
    acct = get_account(ctx, ctx.path["id"])
    p = ctx.params
    before = views.render(ctx, acct)
    for key in ("email", "business_type", "default_currency"):
        if key in p:
            acct[key] = p[key]
    if "business_profile" in p:
        acct["business_profile"] = _business_profile(p["business_profile"], acct["business_profile"])
    if "metadata" in p:
        acct["metadata"] = p["metadata"].apply(acct["metadata"])
    for name, ask in (p.get("capabilities") or {}).items():
        if (ask or {}).get("requested") and name not in acct["capabilities"]:
            acct["capabilities"][name] = "active" if acct["details_submitted"] else "inactive"
    emit_update(ctx, "account.updated", acct, before, account=acct["id"])
    return acct


def delete(ctx: Ctx):
    acct = get_account(ctx, ctx.path["id"])
    acct["_deleted"] = True
    return {"id": acct["id"], "object": "account", "deleted": True}


def list_(ctx: Ctx):
    items = [
        a
        for a in ctx.store.all("account")
        if not a.get("_deleted") and in_range(a["created"], ctx.params.get("created"))
    ]
    return views.list_object(ctx, items)


# -- account links and onboarding ---------------------------------------------------------------


def create_link(ctx: Ctx):
    p = ctx.params
    require(p, "account", "type")
    acct = get_account(ctx, p["account"], status=400)
    if p["type"] == "account_update" and acct["type"] == "express":
        raise invalid(
            "You cannot create `account_update` type Account Links for Express accounts.", param="type"
        )
    token = random_token(24)
    link = {
        "object": "account_link",
        "created": ctx.now,
        "expires_at": ctx.now + LINK_LIFETIME,
        "url": f"{ctx.public_url}/_pages/connect/onboarding/{token}",
    }
    ctx.store.account_links[token] = {
        **link,
        "account": acct["id"],
        "type": p["type"],
        "refresh_url": p.get("refresh_url"),
        "return_url": p.get("return_url"),
        "used": False,
    }
    return link


def complete_onboarding(
    ctx: Ctx, acct: dict[str, Any], *, verified: bool = True, ip: str = "127.0.0.1"
) -> None:
    """What finishing Stripe's hosted onboarding does: details submitted, requirements met and,
    once verified, the requested capabilities active."""
    before = views.render(ctx, acct)
    acct["details_submitted"] = True
    acct["business_type"] = acct["business_type"] or "individual"
    acct["tos_acceptance"].update(
        {"date": ctx.now, "ip": ip, "user_agent": "stripe-emulator onboarding page"}
    )
    if not acct["business_profile"]["url"]:
        acct["business_profile"]["url"] = "https://example.com"
    if not acct["business_profile"]["mcc"]:
        acct["business_profile"]["mcc"] = "7399"
    # a bank account a payout failed on (errored) is replaced by the one given now
    acct["_external_accounts"] = [b for b in acct["_external_accounts"] if b["status"] != "errored"]
    if not acct["_external_accounts"]:
        acct["_external_accounts"].append(_bank_account(ctx, acct))
    if verified:
        acct["requirements"] = _requirements([], None)
        acct["capabilities"] = dict.fromkeys(acct["capabilities"], "active")
        acct["charges_enabled"] = acct["capabilities"].get("card_payments") == "active"
        acct["payouts_enabled"] = True
    else:
        pending = [r for r in REQUIREMENTS if r.startswith("individual.")]
        acct["requirements"] = {
            **_requirements([], "requirements.pending_verification"),
            "pending_verification": pending,
        }
        acct["capabilities"] = dict.fromkeys(acct["capabilities"], "pending")
    emit_update(ctx, "account.updated", acct, before, account=acct["id"])


def _bank_account(ctx: Ctx, acct: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ctx.store.new_id("ba"),
        "object": "bank_account",
        "account": acct["id"],
        "account_holder_name": None,
        "account_holder_type": None,
        "account_type": None,
        "available_payout_methods": ["standard"],
        "bank_name": "STRIPE TEST BANK",
        "country": acct["country"],
        "currency": acct["default_currency"],
        "customer": None,
        "default_for_currency": True,
        "fingerprint": random_token(16),
        "future_requirements": {
            "currently_due": [],
            "errors": [],
            "past_due": [],
            "pending_verification": [],
        },
        "last4": "6789",
        "metadata": {},
        "requirements": {"currently_due": [], "errors": [], "past_due": [], "pending_verification": []},
        "routing_number": "110000000",
        "status": "new",
    }


def routes(router) -> None:
    router.add("POST", "/v1/accounts", create, CREATE, sdk="AccountCreateParams")
    router.add("GET", "/v1/accounts", list_, LIST, sdk="AccountListParams")
    router.add("GET", "/v1/account", retrieve_current, sdk="AccountRetrieveCurrentParams")
    router.add("GET", "/v1/accounts/{id}", retrieve, sdk="AccountRetrieveParams")
    router.add("POST", "/v1/accounts/{id}", update, UPDATE, sdk="AccountUpdateParams")
    router.add("DELETE", "/v1/accounts/{id}", delete, sdk="AccountDeleteParams")
    router.add(
        "POST",
        "/v1/account_links",
        create_link,
        {
            "account": str,
            "type": Enum(("account_onboarding", "account_update")),
            "refresh_url": str,
            "return_url": str,
            "collect": Enum(("currently_due", "eventually_due")),
            "collection_options": {
                "fields": Enum(("currently_due", "eventually_due")),
                "future_requirements": Enum(("include", "omit")),
            },
        },
        sdk="AccountLinkCreateParams",
    )


views.register("account", "account", render=_render)
