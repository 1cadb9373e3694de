"""The operators' fee page: the schedule new invoices are billed under, changed in percent, with
the history of changes. Invoices billed already keep their own fees (services/fees.py)."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.web import forms
from chalicelib.web.auth import OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

TIERS = (1, 2, 3)


def _percent(bps: int) -> str:
    """1250 basis points as '12.5' (exact: basis points are hundredths of a percent)."""
    whole, cents = divmod(int(bps), 100)
    return f"{whole}.{cents:02d}".rstrip("0").rstrip(".")


def _field(error_field: str | None) -> str:
    """The form field for a domain field: client_fee_bps -> client_fee, agent_fee_bps.2 -> agent_fee_2."""
    if error_field == "client_fee_bps":
        return "client_fee"
    if error_field and error_field.startswith("agent_fee_bps."):
        return "agent_fee_" + error_field.rsplit(".", 1)[1]
    return error_field if error_field in ("version", "note") else "form"


def _page(ctx: PageContext, *, status: int = 200, errors=None, values=None):
    from chalicelib.services import fees

    found = fees.show(ctx.principal)
    schedule = found.schedule
    shown = {
        "client_fee": _percent(schedule.client_fee_bps),
        **{f"agent_fee_{tier}": _percent(schedule.agent_fee(tier)) for tier in TIERS},
        "note": "",
    }
    return ctx.render(
        "admin_fees.html",
        status=status,
        title="Fees",
        fees=found,
        percent=_percent,
        tiers=TIERS,
        values={**shown, **(values or {})},
        version=found.version,
        errors=errors or {},
    )


@pages.get("/admin/fees", access=OPERATOR)
def fee_page(ctx: PageContext):
    return _page(ctx)


@pages.post("/admin/fees", access=OPERATOR)
def change_fees(ctx: PageContext):
    from chalicelib.domain import billing as billing_rules
    from chalicelib.services import fees

    values = ctx.form_values
    try:
        version = values.get("version", "").strip()
        if not version.isdigit():
            raise InvalidInput("reload the page and try again", field="version")
        client = forms.basis_points(values.get("client_fee", ""), field="client_fee_bps")
        agent = {
            tier: forms.basis_points(values.get(f"agent_fee_{tier}", ""), field=f"agent_fee_bps.{tier}")
            for tier in TIERS
        }
        if client is None:
            raise InvalidInput("write a percentage such as 10", field="client_fee_bps")
        agent_bps: dict[int, int] = {}
        for tier, bps in agent.items():
            if bps is None:
                raise InvalidInput("write a percentage such as 10", field=f"agent_fee_bps.{tier}")
            agent_bps[tier] = bps
        schedule = billing_rules.FeeSchedule(client_fee_bps=client, agent_fee_bps=agent_bps)
        schedule.check()  # the rules first: nothing they refuse is offered for confirmation
        shown = fees.show(ctx.principal)
        if shown.version != int(version):
            from chalicelib.domain.errors import Conflict

            raise Conflict(
                "the fees were changed since you read them; reload to see the change",
                code="stale_or_duplicate",
                field="version",
            )
        now_in_force = shown.schedule
        changes = [
            f"The client fee added to each invoice goes from {_percent(now_in_force.client_fee_bps)}% "
            f"to {_percent(client)}%."
            if now_in_force.client_fee_bps != client
            else f"The client fee stays {_percent(client)}%."
        ] + [
            f"The agent fee of tier {tier} goes from {_percent(now_in_force.agent_fee(tier))}% to {_percent(bps)}%."
            for tier, bps in sorted(agent_bps.items())
            if now_in_force.agent_fee(tier) != bps
        ]
        page = (
            None
            if now_in_force == schedule
            else ctx.confirm(
                title="Change deskhire's fees?",
                happens=changes,
                money=[
                    "Every invoice planned from now on (the next weekly run, blocks bought or accepted after it) "
                    "is billed with these fees, and its payouts keep the agent fee of its tier.",
                    "Invoices billed already keep their own fees, for their payouts and refunds.",
                ],
                button="Change the fees",
                back="/admin/fees",
            )
        )
        if page is not None:
            return page
        fees.change(
            ctx.principal,
            schedule,
            seen_version=int(version),
            note=values.get("note", "")[:300],
            deps=ctx.deps,
        )
    except DomainError as error:
        if error.code == "forbidden":
            raise
        from chalicelib.web.errors import status_for

        kept = {
            name: values.get(name, "")
            for name in ("client_fee", "agent_fee_1", "agent_fee_2", "agent_fee_3", "note")
        }
        return _page(ctx, status=status_for(error), errors={_field(error.field): error.message}, values=kept)
    return ctx.redirect(
        "/admin/fees", flash="Saved: invoices planned from now on are billed with these fees."
    )
