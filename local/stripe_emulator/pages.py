"""The emulator's own browser pages, standing in for the ones Stripe hosts:

- `/_pages/setup/{seti_id}?return_url=...`: a card form that confirms a SetupIntent with a test
  card, then redirects to `return_url?setup_intent=...&setup_intent_client_secret=...&
  redirect_status=succeeded|failed`;
- `/_pages/invoice/{token}` (an invoice's `hosted_invoice_url`): the invoice, payable by card while
  open; `/pdf` beside it is the `invoice_pdf`;
- `/_pages/connect/onboarding/{token}` (an account link's `url`): Express onboarding, with
  "complete" (requirements met, capabilities active, redirect to `return_url`) and "leave"
  (redirect to `refresh_url`);
- `/_pages/receipts/{charge_id}`: a charge's `receipt_url`;
- `/_pages/authenticate/{intent_id}?return_url=...`: the 3-D Secure step of a SetupIntent or
  PaymentIntent in `requires_action` ("Complete" or "Fail authentication"), then back to
  `return_url` with `redirect_status`.

Card-form mistakes Stripe.js would catch in the browser (an invalid number, a past expiry) show on
the page; what Stripe's servers decide (declines) goes through the API code paths and events.
"""

from __future__ import annotations

import html
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from . import cards, forms, money, views
from .context import Ctx
from .errors import StripeError
from .resources import connect, invoiceitems, invoices, payments
from .resources.payment_methods import create_from_card
from .resources.setup_intents import authenticate as authenticate_setup
from .resources.setup_intents import confirm_intent
from .server import Response
from .store import random_token

if TYPE_CHECKING:
    from .emulator import Emulator

STYLE = """
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1f36}
h1{font-size:1.4rem} .muted{color:#697386;font-size:.9rem} .error{color:#b3093c;font-weight:600}
.box{border:1px solid #e3e8ee;border-radius:8px;padding:1rem;margin:1rem 0}
label{display:block;margin:.6rem 0 .2rem} input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button,.button{background:#635bff;color:#fff;border:0;border-radius:6px;padding:.6rem 1rem;font-size:1rem;
cursor:pointer;text-decoration:none;display:inline-block;margin:.8rem .4rem 0 0}
.secondary{background:#fff;color:#635bff;border:1px solid #635bff} table{width:100%;border-collapse:collapse}
td{padding:.3rem 0;border-bottom:1px solid #e3e8ee} td.amount{text-align:right}
.banner{background:#fff8e1;border:1px solid #f5c542;padding:.5rem;border-radius:6px;font-size:.85rem}
"""
TEST_CARDS_HINT = (
    "Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has "
    "insufficient funds; 4000 0000 0000 0341 is saved but every later charge on it fails; 4000 0027 6000 3184 "
    "asks for 3D Secure every time; 4000 0025 0000 3155 only when it is saved. Any future expiry and any CVC."
)


def _page(title: str, body: str, status: int = 200) -> Response:
    return Response.html(
        status,
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><p class=banner>Stripe emulator: test mode, no real money moves.</p>"
        f"{body}</body></html>",
    )


def _not_found(what: str) -> Response:
    return _page("Not found", f"<h1>Not found</h1><p>{html.escape(what)}</p>", 404)


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(extra)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _card_form(
    action: str, hidden: dict[str, str], button: str, error: str | None, values: dict[str, str]
) -> str:
    fields = "".join(
        f"<input type=hidden name={html.escape(k)} value='{html.escape(v, quote=True)}'>"
        for k, v in hidden.items()
        if v
    )

    def value(name: str) -> str:
        return html.escape(values.get(name, ""), quote=True)

    return (
        f"<form class=box method=post action='{html.escape(action, quote=True)}'>{fields}"
        + (f"<p class=error role=alert>{html.escape(error)}</p>" if error else "")
        + f"<label for=card_number>Card number</label><input id=card_number name=card_number inputmode=numeric "
        f"autocomplete=cc-number placeholder='4242 4242 4242 4242' value='{value('card_number')}'>"
        f"<label for=exp>Expiry (MM / YY)</label><input id=exp name=exp placeholder='12 / 34' value='{value('exp')}'>"
        f"<label for=cvc>CVC</label><input id=cvc name=cvc inputmode=numeric placeholder=123 value='{value('cvc')}'>"
        f"<label for=name>Name on card</label><input id=name name=name autocomplete=cc-name value='{value('name')}'>"
        f"<label for=postal_code>Postal code</label><input id=postal_code name=postal_code value='{value('postal_code')}'>"
        f"<button type=submit>{html.escape(button)}</button></form><p class=muted>{TEST_CARDS_HINT}</p>"
    )


def _read_card(form: dict[str, Any], now: int) -> dict[str, Any] | str:
    """Stripe.js's checks, done here: the card and its expiry, or (a str) the message to show."""
    number = re.sub(r"[\s-]", "", str(form.get("card_number", "")))
    if not cards.luhn_ok(number):
        return "Your card number is invalid."
    card = cards.CARDS.get(number)
    if card is None:
        return (
            "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of "
            "valid test cards, visit: https://stripe.com/docs/testing."
        )
    if form.get("exp_month") and form.get("exp_year"):
        month_text, year_text = str(form["exp_month"]), str(form["exp_year"])
    else:
        match = re.match(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$", str(form.get("exp", "")))
        if not match:
            return "Your card's expiration date is incomplete."
        month_text, year_text = match.groups()
    month, year = int(month_text), int(year_text)
    year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        return "Your card's expiration month is invalid."
    today = time.gmtime(now)
    if (year, month) < (today.tm_year, today.tm_mon):
        return "Your card's expiration date is in the past."
    cvc = str(form.get("cvc", "")).strip()
    if not re.fullmatch(r"\d{3,4}", cvc):
        return "Your card's security code is incomplete."
    return {
        "card": card,
        "exp_month": month,
        "exp_year": year,
        "name": form.get("name") or None,
        "postal_code": form.get("postal_code") or None,
    }


# -- setup intent card page ---------------------------------------------------------------------


def _setup_page(
    emu: Emulator, seti: dict[str, Any], return_url: str, error: str | None, values: dict
) -> Response:
    customer = emu.store.get(seti["customer"]) if seti["customer"] else None
    who = html.escape((customer or {}).get("email") or (customer or {}).get("name") or "")
    if seti["status"] == "succeeded":
        body = "<h1>Card saved</h1><p>This card is already set up.</p>"
        if return_url:
            body += f"<a class=button href='{html.escape(return_url, quote=True)}'>Continue</a>"
        return _page("Card saved", body)
    if seti["status"] == "canceled":
        return _page("Canceled", "<h1>This setup was canceled</h1>", 400)
    body = f"<h1>Save a card</h1><p class=muted>{who}</p>" + _card_form(
        f"/_pages/setup/{seti['id']}", {"return_url": return_url}, "Save card", error, values
    )
    return _page("Save a card", body)


def _setup(emu: Emulator, method: str, seti_id: str, query: dict, form: dict) -> Response:
    seti = emu.store.get(seti_id)
    if seti is None or seti.get("object") != "setup_intent":
        return _not_found(f"No such SetupIntent: {seti_id}")
    return_url = form.get("return_url") or query.get("return_url") or ""
    if method == "GET":
        return _setup_page(emu, seti, return_url, None, {})
    ctx = Ctx(emu, account=seti["_account"])
    details = _read_card(form, ctx.now)
    if isinstance(details, str):
        return _setup_page(emu, seti, return_url, details, form)
    pm = create_from_card(
        ctx,
        details["card"],
        exp_month=details["exp_month"],
        exp_year=details["exp_year"],
        name=details["name"],
        postal_code=details["postal_code"],
    )
    try:
        confirm_intent(ctx, seti, pm, return_url or None)
        status = "succeeded"
    except StripeError as err:
        if err.type != "card_error":
            return _setup_page(emu, seti, return_url, err.message, form)
        status = "failed"
    if seti["status"] == "requires_action":
        # Stripe.js would open the bank's 3-D Secure page now.
        return Response.redirect(_authentication_url(seti["id"], return_url))
    if not return_url:
        title = "Card saved" if status == "succeeded" else "Card declined"
        return _page(title, f"<h1>{title}</h1><p>SetupIntent {html.escape(seti['id'])}: {status}.</p>")
    return Response.redirect(
        _with_query(
            return_url,
            {
                "setup_intent": seti["id"],
                "setup_intent_client_secret": seti["client_secret"],
                "redirect_status": status,
            },
        )
    )


# -- 3-D Secure -----------------------------------------------------------------------------------


def _authentication_url(intent_id: str, return_url: str | None) -> str:
    query = f"?{urlencode({'return_url': return_url})}" if return_url else ""
    return f"/_pages/authenticate/{intent_id}{query}"


def _authenticate(emu: Emulator, method: str, intent_id: str, query: dict, form: dict) -> Response:
    """Stands for the issuer's 3-D Secure page (Stripe's test page offers the same two buttons)."""
    intent = emu.store.get(intent_id)
    if intent is None or intent.get("object") not in ("setup_intent", "payment_intent"):
        return _not_found(f"No such intent: {intent_id}")
    return_url = form.get("return_url") or query.get("return_url") or ""
    kind = intent["object"]
    if method == "GET":
        if intent["status"] != "requires_action":
            return _page("Nothing to authenticate", "<h1>Nothing to authenticate</h1>", 400)
        pm = emu.store.get(intent["payment_method"]) or {}
        card = pm.get("card") or {}
        what = (
            f"Pay {money.display(intent['amount'], intent['currency'])}"
            if kind == "payment_intent"
            else "Save your card"
        )
        hidden = (
            f"<input type=hidden name=return_url value='{html.escape(return_url, quote=True)}'>"
            if return_url
            else ""
        )
        body = (
            f"<h1>3D Secure test page</h1><p class=muted>{html.escape(emu.platform_name)} · {what} · "
            f"{html.escape(card.get('brand', 'card'))} ending {html.escape(card.get('last4', ''))}</p>"
            f"<div class=box><p>Your bank asks you to confirm it is you.</p>"
            f"<form method=post action='/_pages/authenticate/{html.escape(intent_id)}'>{hidden}"
            f"<button type=submit name=outcome value=complete id=complete>Complete authentication</button>"
            f"<button type=submit name=outcome value=fail class='button secondary' id=fail>"
            f"Fail authentication</button></form></div>"
        )
        return _page("Authenticate", body)
    if intent["status"] != "requires_action":
        return _page("Nothing to authenticate", "<h1>Nothing to authenticate</h1>", 400)
    ctx = Ctx(emu, account=intent["_account"])
    succeed = form.get("outcome", "complete") == "complete"
    if kind == "setup_intent":
        authenticate_setup(ctx, intent, succeed=succeed)
    else:
        invoices.authenticate_payment(ctx, intent, succeed=succeed)
    status = "succeeded" if intent["status"] == "succeeded" else "failed"
    if not return_url:
        return _page("Authentication done", f"<h1>Authentication {status}</h1>")
    return Response.redirect(
        _with_query(
            return_url,
            {kind: intent["id"], f"{kind}_client_secret": intent["client_secret"], "redirect_status": status},
        )
    )


# -- hosted invoice page ------------------------------------------------------------------------


def _invoice_page(
    emu: Emulator, token: str, inv: dict[str, Any], error: str | None, values: dict
) -> Response:
    ctx = Ctx(emu, account=inv["_account"])
    view = views.render(ctx, inv)
    currency = inv["currency"]
    rows = "".join(
        f"<tr><td>{html.escape(line['description'] or 'Item')} × {line['quantity']}</td>"
        f"<td class=amount>{money.display(line['amount'], currency)}</td></tr>"
        for line in (invoiceitems.line_item(ctx, i) for i in invoiceitems.items_of(ctx, inv["id"]))
    )
    due = time.strftime("%Y-%m-%d", time.gmtime(inv["due_date"])) if inv["due_date"] else None
    body = (
        f"<h1>Invoice {html.escape(inv['number'] or '')}</h1>"
        f"<p class=muted>From {html.escape(emu.platform_name)} to {html.escape(view['customer_email'] or view['customer_name'] or inv['customer'])}"
        + (f" · due {due}" if due else "")
        + f"</p><div class=box><table>{rows}<tr><td><strong>Amount due</strong></td>"
        f"<td class=amount><strong>{money.display(inv['amount_due'], currency)}</strong></td></tr></table></div>"
        f"<p>Status: <strong id=status>{html.escape(inv['status'])}</strong></p>"
    )
    pi = emu.store.get(inv.get("_payment_intent"))
    payable = inv["status"] in ("open", "uncollectible") and inv["amount_remaining"] > 0
    if payable and pi is not None and pi["status"] == "requires_action":
        pm = emu.store.get(pi["payment_method"]) or {}
        last4 = html.escape((pm.get("card") or {}).get("last4", ""))
        here = f"{emu.public_url}/_pages/invoice/{token}"
        body += (
            f"<div class=box><p>Your bank needs you to confirm this payment with the card ending {last4}.</p>"
            f"<a class=button id=authenticate href='{html.escape(_authentication_url(pi['id'], here), quote=True)}'>"
            f"Confirm payment</a></div><p class=muted>Or pay with another card:</p>"
        )
    if payable:
        body += _card_form(
            f"/_pages/invoice/{token}/pay",
            {},
            f"Pay {money.display(inv['amount_remaining'], currency)}",
            error,
            values,
        )
    elif inv["status"] == "paid":
        body += "<p>This invoice is paid. Thank you.</p>"
    body += f"<p><a href='/_pages/invoice/{html.escape(token)}/pdf'>Download PDF</a></p>"
    return _page(f"Invoice {inv['number'] or ''}", body)


def _invoice(emu: Emulator, method: str, token: str, action: str | None, form: dict) -> Response:
    inv = emu.store.get(emu.store.invoice_tokens.get(token))
    if inv is None or inv.get("_deleted"):
        return _not_found("This invoice link is not valid.")
    if action == "pdf":
        return _invoice_pdf(emu, inv)
    if method == "GET" or action != "pay":
        return _invoice_page(emu, token, inv, None, {})
    if inv["status"] not in ("open", "uncollectible"):
        return _invoice_page(emu, token, inv, f"This invoice is {inv['status']} and cannot be paid.", {})
    ctx = Ctx(emu, account=inv["_account"])
    details = _read_card(form, ctx.now)
    if isinstance(details, str):
        return _invoice_page(emu, token, inv, details, form)
    pm = create_from_card(
        ctx,
        details["card"],
        exp_month=details["exp_month"],
        exp_year=details["exp_year"],
        name=details["name"],
    )
    here = f"{emu.public_url}/_pages/invoice/{token}"
    outcome = invoices.collect(ctx, inv, pm, return_url=here)
    if outcome is payments.REQUIRES_ACTION:
        return Response.redirect(_authentication_url(inv["_payment_intent"], here))
    return _invoice_page(emu, token, inv, outcome.message if outcome else None, form if outcome else {})


def _invoice_pdf(emu: Emulator, inv: dict[str, Any]) -> Response:
    ctx = Ctx(emu, account=inv["_account"])
    currency = inv["currency"]
    lines = [
        f"Invoice {inv['number']}",
        f"{emu.platform_name}",
        f"Customer: {inv['customer_email'] or inv['customer_name'] or inv['customer']}",
        f"Status: {inv['status']}",
        "",
    ]
    for item in invoiceitems.items_of(ctx, inv["id"]):
        lines.append(
            f"{item['description'] or 'Item'} x {item['quantity']}: {money.display(item['amount'], currency)}"
        )
    lines += [
        "",
        f"Total: {money.display(inv['total'], currency)}",
        f"Amount due: {money.display(inv['amount_due'], currency)}",
    ]
    return Response(200, simple_pdf(lines), content_type="application/pdf")


def simple_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of plain text lines (Helvetica, Latin-1), enough to stand for `invoice_pdf`."""

    def escape(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 12 Tf 72 740 Td 16 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# -- Connect onboarding -------------------------------------------------------------------------


def _onboarding(emu: Emulator, token: str) -> Response:
    link = emu.store.account_links.get(token)
    if link is None:
        return _not_found("This onboarding link is not valid.")
    if link["used"] or link["expires_at"] <= emu.now():
        # Stripe sends a visitor of a used or expired link to refresh_url, where the platform makes
        # a new link.
        if link["refresh_url"]:
            return Response.redirect(link["refresh_url"])
        return _page("Link expired", "<h1>This link has expired</h1>", 410)
    link["used"] = True
    acct = emu.store.get(link["account"])
    if acct is None or acct.get("_deleted"):
        return _not_found("This account no longer exists.")
    session = random_token(24)
    emu.store.onboarding_sessions[session] = {
        "account": acct["id"],
        "return_url": link["return_url"],
        "refresh_url": link["refresh_url"],
        "done": False,
    }
    emu.persist()
    capabilities = ", ".join(sorted(acct["capabilities"])) or "none"
    body = (
        f"<h1>Set up payouts for {html.escape(emu.platform_name)}</h1>"
        f"<p class=muted>Account {html.escape(acct['id'])} · {html.escape(acct['email'] or 'no email')} · "
        f"{html.escape(acct['country'])} · payouts in {html.escape(acct['default_currency'].upper())}</p>"
        f"<div class=box><p>Stripe would ask here for identity details, a bank account and agreement to its terms. "
        f"The emulator fills them with test data.</p><p class=muted>Requested capabilities: "
        f"{html.escape(capabilities)}</p>"
        f"<form method=post action='/_pages/connect/session/{session}/complete'>"
        f"<button type=submit name=outcome value=verified id=complete>Complete onboarding</button>"
        f"<button type=submit name=outcome value=pending class='button secondary' id=pending>"
        f"Submit, verification pending</button></form></div>"
        f"<p><a href='/_pages/connect/session/{session}/leave' id=leave>Leave and return later</a></p>"
    )
    return _page("Onboarding", body)


def _session(
    emu: Emulator, method: str, session_id: str, action: str, form: dict, client_ip: str
) -> Response:
    session = emu.store.onboarding_sessions.get(session_id)
    if session is None:
        return _not_found("This onboarding session is not valid.")
    if action == "leave":
        session["done"] = True
        emu.persist()
        if session["refresh_url"]:
            return Response.redirect(session["refresh_url"])
        return _page("Onboarding paused", "<h1>You can finish later</h1>")
    if action != "complete" or method != "POST":
        return _not_found("Unknown onboarding action.")
    if session["done"]:
        if session["refresh_url"]:
            return Response.redirect(session["refresh_url"])
        return _page("Link expired", "<h1>This onboarding session has ended</h1>", 410)
    ctx = Ctx(emu)
    acct = emu.store.linked(session["account"])
    connect.complete_onboarding(
        ctx, acct, verified=form.get("outcome", "verified") != "pending", ip=client_ip
    )
    session["done"] = True
    emu.persist()
    if session["return_url"]:
        return Response.redirect(session["return_url"])
    return _page("Onboarding complete", "<h1>All set</h1><p>You can close this page.</p>")


# -- receipts -----------------------------------------------------------------------------------


def _receipt(emu: Emulator, charge_id: str) -> Response:
    charge = emu.store.get(charge_id)
    if charge is None or charge.get("object") != "charge":
        return _not_found("No such receipt.")
    card = (charge["payment_method_details"] or {}).get("card") or {}
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(charge["created"]))
    refunded = (
        f"<p>Refunded: {money.display(charge['amount_refunded'], charge['currency'])}</p>"
        if charge["amount_refunded"]
        else ""
    )
    body = (
        f"<h1>Receipt from {html.escape(emu.platform_name)}</h1><div class=box>"
        f"<p>Amount paid: <strong>{money.display(charge['amount'], charge['currency'])}</strong></p>"
        f"<p>Date: {when}</p><p>Card: {html.escape(card.get('brand', ''))} ending {html.escape(card.get('last4', ''))}</p>"
        f"{refunded}</div>"
    )
    return _page("Receipt", body)


def handle(emu: Emulator, method: str, path: str, query: str, body: str, headers) -> Response:
    form = forms.decode(body) if method == "POST" else {}
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    parts = [p for p in path.split("/") if p][1:]  # drop "_pages"
    client_ip = "127.0.0.1"
    with emu.lock:
        try:
            if len(parts) == 2 and parts[0] == "setup":
                response = _setup(emu, method, parts[1], params, form)
            elif len(parts) == 2 and parts[0] == "authenticate":
                response = _authenticate(emu, method, parts[1], params, form)
            elif len(parts) in (2, 3) and parts[0] == "invoice":
                response = _invoice(emu, method, parts[1], parts[2] if len(parts) == 3 else None, form)
            elif len(parts) == 3 and parts[:2] == ["connect", "onboarding"] and method == "GET":
                response = _onboarding(emu, parts[2])
            elif len(parts) == 4 and parts[:2] == ["connect", "session"]:
                response = _session(emu, method, parts[2], parts[3], form, client_ip)
            elif len(parts) == 2 and parts[0] == "receipts":
                response = _receipt(emu, parts[1])
            else:
                response = _not_found(f"No page at {path}")
        finally:
            emu.persist()
    return response
