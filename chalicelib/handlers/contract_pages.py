"""Offers and contracts in the portal, for both sides: the lists, one contract's page (its terms,
its weeks, its amendments and the lifecycle buttons each side may press), the agent's answer to an
offer with the collisions it would make shown first, and the money a business adds to a running
contract (a bonus, a block of hours, the top-up). The offer form is in offer_pages.py."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.web import forms
from chalicelib.web.auth import AGENT, MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _side(ctx: PageContext) -> str:
    return "business" if str(ctx.principal.kind) == "member" else "agent"


def _base(ctx: PageContext) -> str:
    return "/app" if _side(ctx) == "business" else "/agent"


def _list_page(ctx: PageContext):
    from chalicelib.services.contracts import records

    now = ctx.deps.now()
    listed = records.listed(ctx.principal)
    states = {r.contract_id: str(records.status_of(r, now)) for r in listed}
    starts = {r.contract_id: start for r in listed if (start := records.starts_later(r, now)) is not None}
    return ctx.render(
        "contracts.html",
        title="Contracts",
        offers=[r for r in listed if states[r.contract_id] == "offered"],
        live=[r for r in listed if states[r.contract_id] in ("active", "paused")],
        past=[r for r in listed if states[r.contract_id] in ("ended", "declined", "withdrawn", "expired")],
        states=states,
        starts=starts,
        business=_side(ctx) == "business",
        base=_base(ctx),
    )


@pages.get("/app/contracts", access=MEMBER)
def business_contracts(ctx: PageContext):
    return _list_page(ctx)


@pages.get("/agent/contracts", access=AGENT)
def agent_contracts(ctx: PageContext):
    return _list_page(ctx)


def _contract_page(ctx: PageContext, contract_id: str, *, status: int = 200, errors=None, values=None):
    from chalicelib.domain import contracts as terms
    from chalicelib.services import bonuses, coverage, offer_money, profiles, timesheets
    from chalicelib.services.blocks import hours
    from chalicelib.services.contracts import amendments, records

    record = records.find(ctx.principal, contract_id)
    now = ctx.deps.now()
    state = records.status_of(record, now)
    business = _side(ctx) == "business"
    me = None if business else profiles.my_profile(ctx.principal)
    zone = me.time_zone if me is not None else record.business_time_zone
    collisions = coverage.offer_collisions(ctx.principal, record, deps=ctx.deps) if state == "offered" else []
    changes = records.amendments_of(record)
    pending = next((a for a in changes if str(a.status) == "proposed"), None)
    weeks = timesheets.weeks_of(ctx.principal, contract_id, deps=ctx.deps) if record.periods else []
    history = records.history_of(record)
    upcoming = [t for t in history if t.effective_at > now]
    # a block contract's balance: the business sees its blocks (and buys more); the agent the hours left
    balance = (
        hours.Balance(record, hours.blocks_of(record) if business else [])
        if record.contract_kind == "block" and record.periods
        else None
    )
    return ctx.render(
        "contract.html",
        status=status,
        title=record.title,
        contract=record,
        state=str(state),
        starts=records.starts_later(record, now),
        business=business,
        side="business" if business else "agent",
        base=_base(ctx),
        zone=zone,
        collisions=collisions,
        amendments=changes,
        pending=pending,
        weeks=weeks,
        in_force=terms.terms_at(history, now),
        **offer_money.said_before(record, terms.terms_at(history, now).rate_minor, str(state), me),
        upcoming=upcoming,
        windows=record.coverage["windows"],
        errors=errors or {},
        describe=amendments.describe,
        bonuses=bonuses.of_contract(ctx.principal, contract_id) if record.periods else [],
        balance=balance,
        block_minutes_of=hours.minutes_of,
        block_number_of=hours.number_of,
        next_block=int(record.blocks_bought or 1) + 1,
        **({} if values is None else {"values": values}),
    )


@pages.get("/app/contracts/{contract_id}", access=MEMBER)
def business_contract(ctx: PageContext, contract_id: str):
    return _contract_page(ctx, contract_id)


@pages.get("/agent/contracts/{contract_id}", access=AGENT)
def agent_contract(ctx: PageContext, contract_id: str):
    return _contract_page(ctx, contract_id)


_DONE = {
    "accept": "You accepted the offer: the contract is active from its start date.",
    "decline": "You declined the offer; the business is told.",
    "withdraw": "The offer is withdrawn; the agent is told.",
    "pause": "The contract is paused: the agent cannot log time until you resume it.",
    "resume": "The contract is running again.",
    "end": "The contract has ended; the other side is told.",
}


def _confirm_lifecycle(ctx: PageContext, action: str, contract_id: str, reason: str):
    """The confirmation before ending a contract, withdrawing an offer or declining one."""
    from chalicelib.services.contracts import records

    record = records.find(ctx.principal, contract_id)
    business = _side(ctx) == "business"
    other = record.agent_name if business else record.business_name
    back = f"{_base(ctx)}/contracts/{contract_id}"
    said = f" with your reason: “{reason.strip()}”" if reason.strip() else ""
    if action == "end":
        if not reason.strip():
            return None  # the service asks for the reason first
        return ctx.confirm(
            title=f"End “{record.title}”?",
            happens=[
                f"The contract with {other} ends now, and {other} is told{said}.",
                "No more time can be logged on it; time logged so far is reviewed, invoiced and paid as usual.",
                "An ended contract cannot be restarted: make a new offer instead.",
            ],
            money=(
                ["Hours of the block not used are refunded to the business."]
                if record.contract_kind == "block"
                else []
            ),
            button="End the contract",
            back=back,
        )
    if action == "withdraw":
        return ctx.confirm(
            title=f"Withdraw the offer to {other}?",
            happens=[
                f"{other} can no longer accept “{record.title}”, and is told.",
                "Nothing was charged for it.",
            ],
            button="Withdraw the offer",
            back=back,
        )
    if action == "decline":
        return ctx.confirm(
            title=f"Decline the offer from {other}?",
            happens=[
                f"{other} is told you declined “{record.title}”{said}.",
                "A declined offer cannot be accepted later; the business may send a new one.",
            ],
            button="Decline the offer",
            back=back,
        )
    return None


def _act(action: str, *, needs_reason: bool = False):
    """A lifecycle button: the service call, then the contract's page (with the refusal shown)."""

    def handler(ctx: PageContext, contract_id: str):
        from chalicelib.services.contracts import lifecycle, offers

        reason = ctx.form_values.get("reason", "")[:500]
        if action in ("end", "withdraw", "decline"):
            page = _confirm_lifecycle(ctx, action, contract_id, reason)
            if page is not None:
                return page
        try:
            if action == "accept":
                offers.accept(ctx.principal, contract_id, deps=ctx.deps)
            elif action == "decline":
                offers.decline(ctx.principal, contract_id, reason=reason, deps=ctx.deps)
            elif action == "withdraw":
                offers.withdraw(ctx.principal, contract_id, deps=ctx.deps)
            elif action == "pause":
                lifecycle.pause(ctx.principal, contract_id, reason=reason, deps=ctx.deps)
            elif action == "resume":
                lifecycle.resume(ctx.principal, contract_id, deps=ctx.deps)
            elif action == "end":
                lifecycle.end(ctx.principal, contract_id, reason=reason, deps=ctx.deps)
        except DomainError as error:
            if error.code == "not_found":
                raise
            status = 400 if error.field == "reason" else 403 if error.code == "wrong_party" else 409
            field = "end_reason" if error.field == "reason" and action == "end" else error.field or "form"
            return _contract_page(ctx, contract_id, status=status, errors={field: error.message})
        return ctx.redirect(f"{_base(ctx)}/contracts/{contract_id}", flash=_DONE[action])

    handler.__name__ = f"{action}_contract"
    return handler


for _action in ("withdraw", "pause", "resume", "end"):
    pages.post(f"/app/contracts/{{contract_id}}/{_action}", access=MEMBER)(_act(_action))
for _action in ("accept", "decline", "end"):
    handler = _act(_action)
    handler.__name__ = f"agent_{_action}_contract"
    pages.post(f"/agent/contracts/{{contract_id}}/{_action}", access=AGENT)(handler)


def _propose(ctx: PageContext, contract_id: str):
    from chalicelib.services.contracts import amendments, records

    record = records.find(ctx.principal, contract_id)
    values = ctx.form_values
    try:
        rate = values.get("rate", "").strip()
        cap = forms.minutes_from_hours(values.get("weekly_hours", ""), field="weekly_hours")
        amendments.propose(
            ctx.principal,
            contract_id,
            rate_minor=forms.money(rate, record.currency, field="rate").minor if rate else None,
            weekly_cap_minutes=cap,
            note=values.get("note", "")[:500],
            deps=ctx.deps,
        )
    except DomainError as error:
        status = 403 if error.code == "wrong_party" else 409 if error.code not in ("invalid",) else 400
        field = (
            "weekly_hours" if error.field == "weekly_cap_minutes" else (error.field or "form").split(".")[0]
        )
        field = {"rate_minor": "rate", "weekly_cap_minutes": "weekly_hours"}.get(field, field)
        key = f"amend_{field}" if field in ("rate", "weekly_hours") else "form"
        return _contract_page(ctx, contract_id, status=status, errors={key: error.message})
    return ctx.redirect(
        f"{_base(ctx)}/contracts/{contract_id}",
        flash="Change proposed: it takes effect only once the other side accepts it.",
    )


@pages.post("/app/contracts/{contract_id}/amendments", access=MEMBER)
def business_propose(ctx: PageContext, contract_id: str):
    return _propose(ctx, contract_id)


@pages.post("/agent/contracts/{contract_id}/amendments", access=AGENT)
def agent_propose(ctx: PageContext, contract_id: str):
    return _propose(ctx, contract_id)


@pages.post("/app/contracts/{contract_id}/bonuses", access=MEMBER)
def grant_bonus(ctx: PageContext, contract_id: str):
    from chalicelib.services import bonuses
    from chalicelib.services.contracts import records

    record = records.find(ctx.principal, contract_id)
    try:
        amount = forms.money(ctx.form_values.get("amount", ""), record.currency, field="bonus_amount")
        from chalicelib.services.bonuses import MAX_BONUS_MINOR

        if 0 < amount.minor <= MAX_BONUS_MINOR and record.periods:
            page = _confirm_bonus(ctx, record, amount)
            if page is not None:
                return page
        bonuses.grant(
            ctx.principal,
            contract_id,
            amount=amount,
            note=ctx.form_values.get("note", "")[:300],
            deps=ctx.deps,
        )
    except DomainError as error:
        if error.code == "not_found":
            raise
        return _contract_page(ctx, contract_id, status=400, errors={"bonus_amount": error.message})
    return ctx.redirect(
        f"/app/contracts/{contract_id}",
        flash=f"Bonus of {_money(amount.minor, record.currency)} granted: it is billed with this week and paid "
        "with its hours.",
    )


def _money(minor: int, currency: str) -> str:
    from chalicelib.domain.money import format_amount

    return f"{format_amount(int(minor), currency)} {currency.upper()}"


def _fee_percent() -> str:
    from chalicelib.services import fees

    bps = fees.current().client_fee_bps
    return f"{bps / 100:g}%"


def _confirm_bonus(ctx: PageContext, record, amount):
    note = ctx.form_values.get("note", "").strip()
    return ctx.confirm(
        title=f"Pay {record.agent_name} a bonus of {_money(amount.minor, amount.currency)}?",
        happens=[
            f"{record.agent_name} is paid a bonus of {_money(amount.minor, amount.currency)} on “{record.title}”"
            + (f" for “{note}”." if note else "."),
            "A bonus cannot be taken back once granted.",
        ],
        money=[
            f"It is added to this week's invoice, with deskhire's client fee of {_fee_percent()} on it, "
            "and charged when the week locks.",
            f"{record.agent_name} receives it with the week's hours, less their agent fee.",
        ],
        button="Pay the bonus",
        back=f"/app/contracts/{record.contract_id}",
    )


# -- more hours for a block contract (business) ---------------------------------------------------

_BLOCK_FIELDS = {"block_minutes": "block_hours", "number": "block_hours"}
_TOP_UP_FIELDS = {"threshold_minutes": "threshold_hours", "block_minutes": "top_up_hours"}


def _block_refused(
    ctx: PageContext, contract_id: str, error: DomainError, fields: dict[str, str], default: str
):
    if error.code == "not_found":
        raise error
    from chalicelib.web.errors import status_for

    field = error.field if error.field in fields.values() else fields.get(error.field or "", default)
    if error.code in ("not_a_block_contract", "illegal_transition"):
        field = "form"  # the contract takes no hours now: its page shows no such form
    return _contract_page(ctx, contract_id, status=status_for(error), errors={field: error.message})


@pages.post("/app/contracts/{contract_id}/blocks", access=MEMBER)
def buy_block(ctx: PageContext, contract_id: str):
    """The "Buy more hours" form: it names the block it showed, so a second click (or a reload of
    the answer) finds that block bought and buys no other."""
    from chalicelib.services.blocks import hours, purchase

    values = ctx.form_values
    try:
        minutes = forms.minutes_from_hours(values.get("block_hours", ""), field="block_hours")
        number = values.get("number", "").strip()
        if number and not number.isdigit():
            raise InvalidInput("reload the page and try again", field="number")
        if minutes:
            page = _confirm_block(ctx, contract_id, minutes, int(number) if number else None)
            if page is not None:
                return page
        balance = purchase.buy(
            ctx.principal, contract_id, minutes=minutes, number=int(number) if number else None, deps=ctx.deps
        )
    except DomainError as error:
        return _block_refused(ctx, contract_id, error, _BLOCK_FIELDS, "block_hours")
    block = (
        balance.blocks[-1]
        if not number
        else next(b for b in balance.blocks if hours.number_of(b) == int(number))
    )
    notice = {
        "paid": f"Block {hours.number_of(block)} is paid: its hours can be logged now.",
        "void": f"Block {hours.number_of(block)} was voided; nothing was bought.",
        "uncollectible": f"Block {hours.number_of(block)} was written off; nothing was bought.",
    }.get(
        block.status,
        f"Block {hours.number_of(block)} is waiting for its payment; its hours can be logged once it is paid.",
    )
    return ctx.redirect(f"/app/contracts/{contract_id}#block-balance", flash=notice)


def _confirm_block(ctx: PageContext, contract_id: str, minutes: int, number: int | None):
    """Before buying hours: how many, at what rate, and the total charged now. None when the form
    names a block bought already (a second click): the purchase answers that one, buying nothing."""
    from chalicelib.domain import billing as billing_rules
    from chalicelib.domain import blocks as block_rules
    from chalicelib.domain import contracts as terms
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.services import fees
    from chalicelib.services.contracts import records

    record = records.find(ctx.principal, contract_id)
    if number is not None and number <= int(record.blocks_bought or 1):
        return None
    if record.block_pending is not None:
        return None  # one block waits for its payment: the purchase says so
    now = ctx.deps.now()
    # the rules first: a block that would be refused is never offered for confirmation
    block_rules.check_block_size(minutes, field="block_hours")
    block_rules.check_block_contract(terms.Kind(record.contract_kind), records.status_of(record, now))
    rate = terms.terms_at(records.history_of(record), now).rate_minor
    plan = billing_rules.plan_block(
        contract_id=contract_id,
        agent_id=record.agent_id,
        title=record.title,
        agent_name=record.agent_name,
        minutes=minutes,
        rate_minor=int(rate),
        currency=record.currency,
        fees=fees.current(),
    )
    return ctx.confirm(
        title=f"Buy {hours_and_minutes(minutes)} more on “{record.title}”?",
        happens=[
            f"{hours_and_minutes(minutes)} is added to the block of {record.agent_name} once it is paid.",
            "Hours not used when the contract ends are refunded.",
        ],
        money=[
            f"{hours_and_minutes(minutes)} at {_money(int(rate), record.currency)} an hour, with deskhire's client fee: "
            f"{_money(plan.total, record.currency)} in all.",
            "It is invoiced and charged to your card on file now (or sent, if you pay by invoice).",
        ],
        button=f"Buy the hours for {_money(plan.total, record.currency)}",
        back=f"/app/contracts/{contract_id}#block-balance",
        danger=False,
    )


@pages.post("/app/contracts/{contract_id}/blocks/{number}/cancel", access=MEMBER)
def cancel_block(ctx: PageContext, contract_id: str, number: str):
    from chalicelib.services.blocks import withdrawal
    from chalicelib.services.contracts import records

    record = records.find(ctx.principal, contract_id)
    pending = record.block_pending is not None and str(record.block_pending) == number
    page = None
    if pending:  # a block that is not waiting for its payment cannot be cancelled: the rule says so
        page = ctx.confirm(
            title=f"Cancel block {number} of “{record.title}”?",
            happens=[
                f"Block {number} is cancelled before it is paid: its hours are never added.",
                "You can buy another block at any time.",
            ],
            money=[f"Nothing is charged for block {number}; its open invoice is voided."],
            button=f"Cancel block {number}",
            back=f"/app/contracts/{contract_id}#block-balance",
        )
    if page is not None:
        return page
    try:
        withdrawal.cancel(ctx.principal, contract_id, number, deps=ctx.deps)
    except DomainError as error:
        if error.code == "not_found":
            raise
        from chalicelib.web.errors import status_for

        return _contract_page(ctx, contract_id, status=status_for(error), errors={"form": error.message})
    return ctx.redirect(
        f"/app/contracts/{contract_id}#block-balance",
        flash=f"Block {number} was cancelled; nothing is charged for it.",
    )


@pages.post("/app/contracts/{contract_id}/top-up", access=MEMBER)
def set_top_up(ctx: PageContext, contract_id: str):
    from chalicelib.services.blocks import purchase

    values = ctx.form_values
    enabled = values.get("enabled", "") == "on"
    try:
        purchase.set_top_up(
            ctx.principal,
            contract_id,
            enabled=enabled,
            threshold_minutes=forms.minutes_from_hours(
                values.get("threshold_hours", ""), field="threshold_hours"
            )
            if enabled
            else None,
            block_minutes=forms.minutes_from_hours(values.get("top_up_hours", ""), field="top_up_hours")
            if enabled
            else None,
            deps=ctx.deps,
        )
    except DomainError as error:
        return _block_refused(ctx, contract_id, error, _TOP_UP_FIELDS, "threshold_hours")
    return ctx.redirect(
        f"/app/contracts/{contract_id}#block-balance",
        flash="The automatic top-up is on." if enabled else "The automatic top-up is off.",
    )


def _settle(step: str):
    def handler(ctx: PageContext, contract_id: str, amendment_id: str):
        from chalicelib.services.contracts import amendments

        try:
            if step == "withdraw":
                amendments.withdraw_amendment(ctx.principal, contract_id, amendment_id, deps=ctx.deps)
            else:
                amendments.answer(
                    ctx.principal, contract_id, amendment_id, accept=step == "accept", deps=ctx.deps
                )
        except DomainError as error:
            if error.code == "not_found":
                raise
            return _contract_page(ctx, contract_id, status=409, errors={"changes": error.message})
        said = {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}[step]
        return ctx.redirect(f"{_base(ctx)}/contracts/{contract_id}", flash=f"The change is {said}.")

    return handler


for _prefix, _access in (("/app", MEMBER), ("/agent", AGENT)):
    for _step in ("accept", "decline", "withdraw"):
        _handler = _settle(_step)
        _handler.__name__ = f"{_prefix.strip('/')}_{_step}_amendment"
        pages.post(
            f"{_prefix}/contracts/{{contract_id}}/amendments/{{amendment_id}}/{_step}", access=_access
        )(_handler)
