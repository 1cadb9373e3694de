"""PROMISES T1: the route-walking isolation probe.

Every route the Chalice app registers is called as a member of business B with the ids of business
A's objects, and as an agent who has no contract with A. Routes that name one of A's objects must
answer 404 (or 401/403 where the caller may not use the route at all); no response may carry
anything of A; and A's data must be exactly as it was afterwards.

A route added later without an entry in PROBES fails this test until it is given one, so no route
escapes the probe by being forgotten."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from chalicelib.web.api import OPERATIONS
from chalicelib.web.portal import PAGE_ROUTES
from tests.integration import survey_helpers
from tests.integration.helpers import STRONG, agent, business, call, opening_body, profile_body, unique
from tests.integration.portal_helpers import PortalSession

pytestmark = pytest.mark.integration

BOGUS_TOKEN = {"token": "dhi_not-a-real-token", "name": "no-such-file.css"}


@dataclass(frozen=True)
class Probe:
    """How to call a route. `names_object`: the path carries one of A's ids, so B must get 404.
    `body`/`form`: a valid input, so that the call reaches the object lookup instead of failing
    validation first."""

    names_object: bool = False
    body: dict | None = None
    form: dict = field(default_factory=dict)
    query: str = ""  # appended to the path; like bodies and forms it may name A's ids as {placeholders}


PROBES: dict[tuple[str, str], Probe] = {
    # public, no object
    ("GET", "/api/health"): Probe(),
    ("GET", "/api/openapi.json"): Probe(),
    ("POST", "/api/v1/signup/business"): Probe(body={}),
    ("POST", "/api/v1/signup/agent"): Probe(body={}),
    ("POST", "/api/v1/sessions"): Probe(body={"email": "a@example.com", "password": "x"}),
    ("POST", "/api/v1/password-resets"): Probe(body={"email": "nobody@example.com"}),
    ("POST", "/api/v1/password-resets/{token}"): Probe(body={"password": STRONG}),
    ("POST", "/api/v1/invites/{token}/accept"): Probe(body={"name": "X", "password": STRONG}),
    ("GET", "/"): Probe(),
    ("GET", "/static/{name}"): Probe(),
    ("GET", "/signup"): Probe(),
    ("POST", "/signup"): Probe(),
    ("GET", "/agents/signup"): Probe(),
    ("POST", "/agents/signup"): Probe(),
    ("GET", "/login"): Probe(),
    ("POST", "/login"): Probe(form={"email": "nobody@example.com", "password": "x"}),
    ("GET", "/password-reset"): Probe(),
    ("POST", "/password-reset"): Probe(form={"email": "nobody@example.com"}),
    ("GET", "/password-reset/{token}"): Probe(),
    ("POST", "/password-reset/{token}"): Probe(form={"password": STRONG}),
    ("GET", "/invites/{token}"): Probe(),
    ("POST", "/invites/{token}"): Probe(form={"name": "X", "password": STRONG}),
    ("GET", "/dev/outbox"): Probe(),
    # the caller's own things (B sees B's, never A's)
    ("DELETE", "/api/v1/sessions/current"): Probe(),
    ("GET", "/api/v1/me"): Probe(),
    ("GET", "/api/v1/team/members"): Probe(),
    ("GET", "/api/v1/team/invites"): Probe(),
    ("POST", "/api/v1/team/invites"): Probe(body={"email": "probe-invite@example.com", "role": "manager"}),
    ("GET", "/api/v1/api-keys"): Probe(),
    ("POST", "/api/v1/api-keys"): Probe(body={"name": "probe"}),
    ("GET", "/api/v1/audit-log"): Probe(),
    ("GET", "/api/v1/integrations/whoami"): Probe(),
    ("POST", "/logout"): Probe(),
    ("GET", "/app"): Probe(),
    ("GET", "/app/team"): Probe(),
    ("POST", "/app/team/invites"): Probe(form={"email": "probe-invite2@example.com", "role": "manager"}),
    ("GET", "/app/api-keys"): Probe(),
    ("POST", "/app/api-keys"): Probe(form={"name": "probe"}),
    ("GET", "/app/audit-log"): Probe(),
    ("GET", "/agent"): Probe(),
    ("GET", "/agent/profile"): Probe(),
    ("POST", "/agent/profile"): Probe(form={"headline": "probe"}),
    # notification settings (issue 14, item 6): the caller's own record, whatever the form says
    ("GET", "/app/settings"): Probe(),
    ("POST", "/app/settings"): Probe(form={"notices": "interview"}),
    ("GET", "/agent/settings"): Probe(),
    ("POST", "/agent/settings"): Probe(form={"notices": "offer"}),
    ("GET", "/app/openings"): Probe(),
    ("GET", "/app/openings/new"): Probe(),
    ("POST", "/app/openings"): Probe(form={"title": "probe"}),
    ("POST", "/admin/agents/{agent_id}/approve"): Probe(names_object=True, form={"tier": "3"}),
    ("POST", "/admin/agents/{agent_id}/reject"): Probe(names_object=True, form={"reason": "probe"}),
    ("GET", "/app/openings/{opening_id}"): Probe(names_object=True),
    ("GET", "/app/openings/{opening_id}/edit"): Probe(names_object=True),
    ("POST", "/app/openings/{opening_id}/edit"): Probe(names_object=True, form={"title": "Hijacked"}),
    ("POST", "/app/openings/{opening_id}/publish"): Probe(names_object=True),
    ("POST", "/app/openings/{opening_id}/pause"): Probe(names_object=True),
    ("POST", "/app/openings/{opening_id}/close"): Probe(names_object=True),
    ("POST", "/app/openings/{opening_id}/invitations"): Probe(names_object=True, form={"agent_id": "x"}),
    ("GET", "/agent/openings/{opening_id}"): Probe(),  # open openings are public to agents; B gets 403
    ("POST", "/agent/openings/{opening_id}/apply"): Probe(
        form={"rate": "20", "earliest_start": "2027-01-04"}
    ),
    ("GET", "/agent/applications"): Probe(),
    ("GET", "/agent/board"): Probe(),
    ("GET", "/api/v1/board"): Probe(),
    ("GET", "/agent/applications/{application_id}"): Probe(names_object=True),
    ("GET", "/app/applications/{application_id}"): Probe(names_object=True),
    ("POST", "/agent/applications/{application_id}/messages"): Probe(
        names_object=True, form={"body": "probe"}
    ),
    ("POST", "/app/applications/{application_id}/messages"): Probe(names_object=True, form={"body": "probe"}),
    ("POST", "/app/applications/{application_id}/shortlist"): Probe(names_object=True),
    ("POST", "/app/applications/{application_id}/decline"): Probe(
        names_object=True, form={"reason": "probe"}
    ),
    ("POST", "/agent/applications/{application_id}/withdraw"): Probe(names_object=True),
    ("GET", "/api/v1/applications/{application_id}/interviews"): Probe(names_object=True),
    ("POST", "/api/v1/applications/{application_id}/interviews"): Probe(
        names_object=True, body={"slots": ["2031-01-01T10:00:00Z"], "duration_minutes": 30}
    ),
    ("POST", "/api/v1/applications/{application_id}/interviews/{interview_id}/book"): Probe(
        names_object=True, body={"slot": "2031-01-01T10:00:00Z"}
    ),
    ("GET", "/api/v1/applications/{application_id}/interviews/{interview_id}/calendar.ics"): Probe(
        names_object=True
    ),
    ("POST", "/app/applications/{application_id}/interviews"): Probe(
        names_object=True, form={"slot_0": "2031-01-01T10:00"}
    ),
    ("POST", "/agent/applications/{application_id}/interviews/{interview_id}/book"): Probe(
        names_object=True, form={"slot": "2031-01-01T10:00:00Z"}
    ),
    ("GET", "/agent/applications/{application_id}/interviews/{interview_id}/calendar.ics"): Probe(
        names_object=True
    ),
    ("GET", "/app/applications/{application_id}/interviews/{interview_id}/calendar.ics"): Probe(
        names_object=True
    ),
    ("GET", "/admin"): Probe(),
    ("GET", "/api/v1/agent/profile"): Probe(),
    ("PUT", "/api/v1/agent/profile"): Probe(
        body={"languages": [], "availability": [], "min_rate": {"amount": 1, "currency": "usd"}}
    ),
    ("GET", "/api/v1/agent/feed"): Probe(),
    ("GET", "/api/v1/admin/agents"): Probe(),
    ("POST", "/api/v1/admin/agents/{agent_id}/approve"): Probe(names_object=True, body={"tier": 3}),
    ("POST", "/api/v1/admin/agents/{agent_id}/reject"): Probe(names_object=True, body={"reason": "probe"}),
    ("GET", "/api/v1/agents/{agent_id}"): Probe(names_object=True),
    ("GET", "/api/v1/openings"): Probe(),
    ("GET", "/api/v1/agent/invitations"): Probe(),
    ("GET", "/api/v1/agent/applications"): Probe(),
    ("POST", "/api/v1/openings"): Probe(body={}),
    # A's objects by id: 404 for B
    ("GET", "/api/v1/openings/{opening_id}"): Probe(names_object=True),
    ("PUT", "/api/v1/openings/{opening_id}"): Probe(names_object=True, body=opening_body(title="Hijacked")),
    ("POST", "/api/v1/openings/{opening_id}/publish"): Probe(names_object=True),
    ("POST", "/api/v1/openings/{opening_id}/pause"): Probe(names_object=True),
    ("POST", "/api/v1/openings/{opening_id}/close"): Probe(names_object=True),
    ("GET", "/api/v1/openings/{opening_id}/matches"): Probe(names_object=True),
    ("POST", "/api/v1/openings/{opening_id}/invitations"): Probe(
        names_object=True, body={"agent_id": "x", "note": ""}
    ),
    ("GET", "/api/v1/openings/{opening_id}/applications"): Probe(names_object=True),
    # agents may apply to an open opening by id: the probing agent is not approved, so 409
    ("POST", "/api/v1/openings/{opening_id}/applications"): Probe(
        body={
            "cover_note": "",
            "proposed_rate": {"amount": 1, "currency": "usd"},
            "earliest_start": "2027-01-04",
        }
    ),
    ("GET", "/api/v1/applications/{application_id}"): Probe(names_object=True),
    ("POST", "/api/v1/applications/{application_id}/shortlist"): Probe(names_object=True),
    ("POST", "/api/v1/applications/{application_id}/decline"): Probe(
        names_object=True, body={"reason": "probe"}
    ),
    ("POST", "/api/v1/applications/{application_id}/withdraw"): Probe(names_object=True),
    ("GET", "/api/v1/applications/{application_id}/messages"): Probe(names_object=True),
    ("POST", "/api/v1/applications/{application_id}/messages"): Probe(
        names_object=True, body={"body": "probe"}
    ),
    ("PATCH", "/api/v1/team/members/{member_id}"): Probe(names_object=True, body={"role": "manager"}),
    ("DELETE", "/api/v1/team/members/{member_id}"): Probe(names_object=True),
    ("DELETE", "/api/v1/team/invites/{invite_id}"): Probe(names_object=True),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Probe(names_object=True),
    ("POST", "/app/team/invites/{invite_id}/revoke"): Probe(names_object=True),
    ("POST", "/app/team/members/{member_id}/role"): Probe(names_object=True, form={"role": "manager"}),
    ("POST", "/app/team/members/{member_id}/remove"): Probe(names_object=True),
    ("POST", "/app/api-keys/{key_id}/revoke"): Probe(names_object=True),
    # contracts, the work diary, timesheets, disputes (A's contract with its agent)
    ("POST", "/api/v1/offers"): Probe(
        names_object=True,
        body={
            "application_id": "{contract_application_id}",
            "kind": "hourly",
            "rate": {"amount": 2500, "currency": "usd"},
            "weekly_cap_minutes": 600,
            "start_date": "2027-01-04",
        },
    ),
    ("GET", "/api/v1/offers"): Probe(),
    ("POST", "/api/v1/offers/{contract_id}/accept"): Probe(names_object=True),
    ("POST", "/api/v1/offers/{contract_id}/decline"): Probe(names_object=True, body={"reason": "probe"}),
    ("POST", "/api/v1/offers/{contract_id}/withdraw"): Probe(names_object=True),
    ("GET", "/api/v1/contracts"): Probe(),
    ("GET", "/api/v1/contracts/{contract_id}"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/pause"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/resume"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/end"): Probe(names_object=True, body={"reason": "probe"}),
    ("GET", "/api/v1/contracts/{contract_id}/amendments"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/amendments"): Probe(
        names_object=True, body={"weekly_cap_minutes": 60}
    ),
    ("POST", "/api/v1/contracts/{contract_id}/amendments/{amendment_id}/accept"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/amendments/{amendment_id}/decline"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/amendments/{amendment_id}/withdraw"): Probe(names_object=True),
    ("GET", "/api/v1/clock"): Probe(),
    ("POST", "/api/v1/contracts/{contract_id}/clock-in"): Probe(names_object=True),
    ("POST", "/api/v1/clock-out"): Probe(),
    ("POST", "/api/v1/contracts/{contract_id}/entries"): Probe(
        names_object=True, body={"started_at": "2026-11-30T09:00:00Z", "ended_at": "2026-11-30T09:30:00Z"}
    ),
    ("PUT", "/api/v1/contracts/{contract_id}/entries/{entry_id}"): Probe(
        names_object=True, body={"started_at": "2026-11-24T09:00:00Z", "ended_at": "2026-11-24T09:05:00Z"}
    ),
    ("DELETE", "/api/v1/contracts/{contract_id}/entries/{entry_id}"): Probe(names_object=True),
    ("GET", "/api/v1/contracts/{contract_id}/timesheets/{week}"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/timesheets/{week}/approve"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/entries/{entry_id}/approve"): Probe(names_object=True),
    ("GET", "/api/v1/contracts/{contract_id}/entries/{entry_id}/evidence"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute"): Probe(
        names_object=True, body={"reason": "probe"}
    ),
    ("GET", "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/messages"): Probe(
        names_object=True, body={"body": "probe"}
    ),
    ("POST", "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/contest"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/concede"): Probe(
        names_object=True, body={"keep_minutes": 1}
    ),
    ("POST", "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/withdraw"): Probe(names_object=True),
    ("GET", "/api/v1/agent/disputes"): Probe(),
    ("GET", "/api/v1/admin/disputes"): Probe(),
    ("GET", "/api/v1/admin/disputes/{dispute_id}"): Probe(names_object=True),
    ("POST", "/api/v1/admin/disputes/{dispute_id}/resolve"): Probe(
        names_object=True, body={"outcome": "rejected"}
    ),
    ("GET", "/api/v1/coverage"): Probe(),
    ("GET", "/api/v1/agent/calendar"): Probe(),
    ("GET", "/app/contracts"): Probe(),
    ("GET", "/agent/contracts"): Probe(),
    ("GET", "/app/contracts/{contract_id}"): Probe(names_object=True),
    ("GET", "/agent/contracts/{contract_id}"): Probe(names_object=True),
    ("GET", "/app/contracts/{contract_id}/messages"): Probe(names_object=True),
    ("GET", "/agent/contracts/{contract_id}/messages"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/messages"): Probe(names_object=True, form={"body": "probe"}),
    ("POST", "/agent/contracts/{contract_id}/messages"): Probe(names_object=True, form={"body": "probe"}),
    ("POST", "/app/contracts/{contract_id}/withdraw"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/pause"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/resume"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/end"): Probe(names_object=True, form={"reason": "probe"}),
    ("POST", "/agent/contracts/{contract_id}/accept"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/decline"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/end"): Probe(names_object=True, form={"reason": "probe"}),
    ("POST", "/app/contracts/{contract_id}/amendments"): Probe(names_object=True, form={"weekly_hours": "1"}),
    ("POST", "/agent/contracts/{contract_id}/amendments"): Probe(
        names_object=True, form={"weekly_hours": "1"}
    ),
    ("POST", "/app/contracts/{contract_id}/amendments/{amendment_id}/accept"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/amendments/{amendment_id}/decline"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/amendments/{amendment_id}/withdraw"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/amendments/{amendment_id}/accept"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/amendments/{amendment_id}/decline"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/amendments/{amendment_id}/withdraw"): Probe(names_object=True),
    ("GET", "/app/offers/new"): Probe(names_object=True, query="application={contract_application_id}"),
    ("POST", "/app/offers"): Probe(
        names_object=True,
        form={"application": "{contract_application_id}", "rate": "20", "weekly_hours": "5"},
    ),
    ("GET", "/agent/diary"): Probe(),
    ("POST", "/agent/clock-in"): Probe(names_object=True, form={"contract_id": "{contract_id}"}),
    ("POST", "/agent/clock-out"): Probe(),
    ("POST", "/agent/entries"): Probe(
        names_object=True,
        form={"contract_id": "{contract_id}", "date": "2026-11-30", "start": "09:00", "end": "09:30"},
    ),
    ("GET", "/agent/contracts/{contract_id}/timesheets/{week}"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/entries/{entry_id}/edit"): Probe(
        names_object=True, form={"date": "2026-11-24", "start": "09:00", "end": "09:05"}
    ),
    ("POST", "/agent/contracts/{contract_id}/entries/{entry_id}/delete"): Probe(names_object=True),
    ("GET", "/agent/calendar"): Probe(),
    ("GET", "/app/timesheets"): Probe(),
    # CSV exports: the caller's own week, invoices and earnings (B's file holds nothing of A's)
    ("GET", "/app/timesheets.csv"): Probe(query="week=2026-W48"),
    ("GET", "/agent/timesheets.csv"): Probe(query="week=2026-W48"),
    ("GET", "/app/billing/invoices.csv"): Probe(),
    ("GET", "/agent/earnings.csv"): Probe(),
    ("GET", "/app/contracts/{contract_id}/timesheets/{week}"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/timesheets/{week}/approve"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/entries/{entry_id}/approve"): Probe(names_object=True),
    ("GET", "/app/contracts/{contract_id}/entries/{entry_id}/dispute"): Probe(names_object=True),
    ("GET", "/agent/contracts/{contract_id}/disputes/{entry_id}"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/entries/{entry_id}/dispute"): Probe(
        names_object=True, form={"reason": "probe"}
    ),
    ("POST", "/app/contracts/{contract_id}/entries/{entry_id}/dispute/messages"): Probe(
        names_object=True, form={"body": "probe"}
    ),
    ("POST", "/app/contracts/{contract_id}/entries/{entry_id}/dispute/withdraw"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/disputes/{entry_id}/messages"): Probe(
        names_object=True, form={"body": "probe"}
    ),
    ("POST", "/agent/contracts/{contract_id}/disputes/{entry_id}/contest"): Probe(names_object=True),
    ("POST", "/agent/contracts/{contract_id}/disputes/{entry_id}/concede"): Probe(
        names_object=True, form={"keep_minutes": "1"}
    ),
    ("GET", "/admin/disputes"): Probe(),
    ("GET", "/admin/disputes/{dispute_id}"): Probe(names_object=True),
    ("POST", "/admin/disputes/{dispute_id}/resolve"): Probe(names_object=True, form={"outcome": "rejected"}),
    ("GET", "/app/coverage"): Probe(),
    # the staffing plan and surge requests: the caller's own business (B has no history, so no gap)
    ("GET", "/api/v1/staffing/plan"): Probe(),
    ("POST", "/api/v1/staffing/surge"): Probe(
        body={"agent_ids": ["{agent_id}"], "hours": 2, "rate": {"amount": 2500, "currency": "usd"}}
    ),
    ("GET", "/app/staffing"): Probe(),
    ("GET", "/app/staffing/opening"): Probe(),
    ("GET", "/app/staffing/surge"): Probe(),
    ("POST", "/app/staffing/surge"): Probe(form={"agent_ids": "{agent_id}", "hours": "2", "rate": "25"}),
    ("POST", "/api/v1/contracts/{contract_id}/bonuses"): Probe(
        names_object=True, body={"amount": {"amount": 100, "currency": "usd"}, "note": "probe"}
    ),
    ("GET", "/api/v1/contracts/{contract_id}/bonuses"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/bonuses"): Probe(
        names_object=True, form={"amount": "1", "note": "probe"}
    ),
    # more hours for a block contract (A's contract is hourly: B must still get 404, not 409)
    ("GET", "/api/v1/contracts/{contract_id}/blocks"): Probe(names_object=True),
    ("POST", "/api/v1/contracts/{contract_id}/blocks"): Probe(
        names_object=True, body={"block_minutes": 600, "number": 2}
    ),
    ("POST", "/api/v1/contracts/{contract_id}/blocks/{number}/cancel"): Probe(names_object=True),
    ("POST", "/app/contracts/{contract_id}/blocks/{number}/cancel"): Probe(names_object=True),
    ("PUT", "/api/v1/contracts/{contract_id}/top-up"): Probe(
        names_object=True, body={"enabled": True, "threshold_minutes": 120, "block_minutes": 600}
    ),
    ("POST", "/app/contracts/{contract_id}/blocks"): Probe(
        names_object=True, form={"block_hours": "10", "number": "2"}
    ),
    ("POST", "/app/contracts/{contract_id}/top-up"): Probe(
        names_object=True, form={"enabled": "on", "threshold_hours": "2", "top_up_hours": "10"}
    ),
    # billing (Stripe calls go to the probe's own emulator)
    ("GET", "/api/v1/billing/account"): Probe(),
    ("POST", "/api/v1/billing/setup-intents"): Probe(),
    ("POST", "/api/v1/billing/payment-method"): Probe(
        names_object=True, body={"setup_intent_id": "{setup_intent_id}"}
    ),
    ("GET", "/api/v1/billing/invoices"): Probe(),
    ("GET", "/api/v1/billing/estimate"): Probe(),
    ("GET", "/api/v1/agent/payouts"): Probe(),
    ("POST", "/api/v1/agent/payouts/onboarding-link"): Probe(body={"country": "PT"}),
    ("POST", "/api/v1/agent/payouts/refresh"): Probe(),
    ("GET", "/api/v1/agent/earnings"): Probe(),
    ("POST", "/api/v1/admin/businesses/{tenant_id}/collection"): Probe(
        names_object=True, body={"days_until_due": 30}
    ),
    ("POST", "/api/v1/admin/businesses/{tenant_id}/invoices/{week}/refunds"): Probe(
        names_object=True, body={"contract_id": "{contract_id}", "minutes": 30, "reason": "probe"}
    ),
    ("POST", "/api/v1/webhooks/stripe"): Probe(body={"id": "evt_probe", "type": "invoice.paid"}),
    ("POST", "/api/v1/webhooks/stripe/connect"): Probe(body={"id": "evt_probe", "type": "account.updated"}),
    # billing pages: A's setup intent is no one else's; the operator's page names A's tenant
    ("GET", "/app/billing"): Probe(),
    ("POST", "/app/billing/card"): Probe(),
    ("GET", "/app/billing/card"): Probe(names_object=True, query="setup_intent={setup_intent_id}"),
    ("GET", "/app/billing/card/return"): Probe(names_object=True, query="setup_intent={setup_intent_id}"),
    ("GET", "/agent/payouts"): Probe(),
    ("POST", "/agent/payouts"): Probe(form={"country": "PT"}),
    ("GET", "/agent/payouts/return"): Probe(),
    ("GET", "/agent/payouts/refresh"): Probe(),
    ("GET", "/agent/earnings"): Probe(),
    ("GET", "/admin/payouts"): Probe(names_object=True, query="tenant={tenant_id}"),
    ("GET", "/admin/businesses"): Probe(query="q=Alpha"),
    ("GET", "/admin/businesses/{tenant_id}"): Probe(names_object=True),
    ("POST", "/admin/businesses/{tenant_id}/collection"): Probe(
        names_object=True, form={"days_until_due": "30"}
    ),
    ("POST", "/admin/businesses/{tenant_id}/invoices/{week}/refunds"): Probe(
        names_object=True, form={"contract_id": "{contract_id}", "hours": "0.5", "reason": "probe"}
    ),
    # the platform's fees: operators only, no tenant's object
    ("GET", "/api/v1/admin/fees"): Probe(),
    ("PUT", "/api/v1/admin/fees"): Probe(
        body={"client_fee_bps": 500, "agent_fee_bps": {"1": 1000, "2": 800, "3": 500}, "version": 0}
    ),
    ("GET", "/admin/fees"): Probe(),
    # marketplace health: operators only, the platform's figures, no tenant's object
    ("GET", "/api/v1/admin/marketplace-health"): Probe(query="from=2026-11-01&to=2026-11-30"),
    ("GET", "/admin/health"): Probe(query="from=2026-11-01&to=2026-11-30"),
    ("GET", "/admin/health.csv"): Probe(query="table=cohorts&from=2026-11-01&to=2026-11-30"),
    ("POST", "/admin/fees"): Probe(
        form={"client_fee": "5", "agent_fee_1": "10", "agent_fee_2": "8", "agent_fee_3": "5", "version": "0"}
    ),
    # the knowledge base (A's published article and its category) and the public help centre;
    # {slug} is B's help centre: it must show nothing of A's, and 404 for A's article and category
    ("GET", "/api/v1/kb/articles"): Probe(),
    ("POST", "/api/v1/kb/articles"): Probe(body={"title": "Probe", "body": "probe", "language": "en"}),
    ("GET", "/api/v1/kb/articles/{article_id}"): Probe(names_object=True),
    ("PATCH", "/api/v1/kb/articles/{article_id}"): Probe(names_object=True, body={"title": "Hijacked"}),
    ("DELETE", "/api/v1/kb/articles/{article_id}"): Probe(names_object=True),
    ("POST", "/api/v1/kb/articles/{article_id}/publish"): Probe(names_object=True),
    ("POST", "/api/v1/kb/articles/{article_id}/unpublish"): Probe(names_object=True),
    ("GET", "/api/v1/kb/categories"): Probe(),
    ("POST", "/api/v1/kb/categories"): Probe(body={"name": "Probe category"}),
    ("DELETE", "/api/v1/kb/categories/{category}"): Probe(names_object=True),
    ("GET", "/api/v1/kb/search"): Probe(query="q=alpha+refund+secrets"),
    ("GET", "/app/knowledge"): Probe(),
    ("GET", "/app/knowledge/new"): Probe(),
    ("POST", "/app/knowledge/articles"): Probe(form={"title": "Probe", "body": "probe", "language": "en"}),
    ("GET", "/app/knowledge/articles/{article_id}"): Probe(names_object=True),
    ("POST", "/app/knowledge/articles/{article_id}"): Probe(
        names_object=True, form={"title": "Hijacked", "body": "x", "language": "en"}
    ),
    ("POST", "/app/knowledge/articles/{article_id}/publish"): Probe(names_object=True),
    ("POST", "/app/knowledge/articles/{article_id}/unpublish"): Probe(names_object=True),
    ("POST", "/app/knowledge/articles/{article_id}/delete"): Probe(
        names_object=True, form={"confirm": "yes"}
    ),
    ("POST", "/app/knowledge/categories"): Probe(form={"name": "Probe category"}),
    ("POST", "/app/knowledge/categories/{category}/delete"): Probe(names_object=True),
    ("POST", "/app/knowledge/reindex"): Probe(),
    ("GET", "/help/{slug}"): Probe(query="q=alpha+refund+secrets"),
    ("GET", "/help/{slug}/articles/{article_slug}"): Probe(names_object=True),
    ("GET", "/help/{slug}/categories/{category}"): Probe(names_object=True),
    # support operations (issue 15): settings are the caller's own; A's inquiries by id are 404
    ("GET", "/api/v1/support/settings"): Probe(),
    ("PUT", "/api/v1/support/settings"): Probe(
        body={"sla": {"urgent": 60, "high": 240, "normal": 480, "low": 1440}, "version": 0}
    ),
    ("POST", "/api/v1/support/inbound-mail-secret"): Probe(),
    ("GET", "/app/support/settings"): Probe(),
    ("POST", "/app/support/settings"): Probe(
        form={"version": "0", "sla_urgent": "1", "sla_high": "4", "sla_normal": "8", "sla_low": "24"}
    ),
    ("POST", "/app/support/settings/inbound-mail"): Probe(),
    ("POST", "/api/v1/inquiries"): Probe(
        body={"customer_email": "probe@example.com", "subject": "Probe", "body": "probe", "language": "en"}
    ),
    ("GET", "/api/v1/inquiries"): Probe(query="email={inquiry_email}"),
    ("GET", "/api/v1/inquiries/{inquiry_id}"): Probe(names_object=True),
    ("GET", "/api/v1/inquiries/{inquiry_id}/replies"): Probe(names_object=True),
    ("POST", "/api/v1/inquiries/{inquiry_id}/replies"): Probe(names_object=True, body={"body": "Hijacked"}),
    ("POST", "/api/v1/inquiries/{inquiry_id}/escalate"): Probe(names_object=True, body={"note": "probe"}),
    ("POST", "/api/v1/inquiries/{inquiry_id}/resolve"): Probe(names_object=True, body={}),
    ("GET", "/api/v1/agent/inquiries"): Probe(),
    # the webhook with a secret nobody made: 404, nothing filed anywhere
    ("POST", "/api/v1/inbound-mail/{secret}"): Probe(
        names_object=True, body={"from": "probe@example.com", "subject": "Probe", "text": "probe"}
    ),
    # {slug} is B's help centre: the form files into B's queue, never A's
    ("GET", "/help/{slug}/contact"): Probe(),
    ("POST", "/help/{slug}/contact"): Probe(
        form={"customer_email": "probe@example.com", "subject": "Probe", "body": "probe"}
    ),
    ("GET", "/app/inquiries"): Probe(query="q=%231"),  # A's number: B finds only its own #1
    ("GET", "/app/inquiries/{inquiry_id}"): Probe(names_object=True),
    ("POST", "/app/inquiries/{inquiry_id}/reply"): Probe(names_object=True, form={"body": "Hijacked"}),
    ("POST", "/app/inquiries/{inquiry_id}/note"): Probe(names_object=True, form={"note": "Hijacked"}),
    ("POST", "/app/inquiries/{inquiry_id}/resolve"): Probe(names_object=True),
    ("GET", "/agent/inquiries"): Probe(),
    ("GET", "/agent/inquiries/{inquiry_id}"): Probe(names_object=True),
    ("POST", "/agent/inquiries/{inquiry_id}/reply"): Probe(names_object=True, form={"body": "Hijacked"}),
    ("POST", "/agent/inquiries/{inquiry_id}/note"): Probe(names_object=True, form={"note": "Hijacked"}),
    ("POST", "/agent/inquiries/{inquiry_id}/escalate"): Probe(names_object=True, form={"escalation": "x"}),
    ("POST", "/agent/inquiries/{inquiry_id}/resolve"): Probe(names_object=True),
    # what customers answer and what it makes of agents (issue 15, slices 7-9): A's survey and A's
    # contractor's review are 404; a made-up rating or survey link on B's page records nothing
    ("GET", "/api/v1/nps/surveys"): Probe(),
    ("POST", "/api/v1/nps/surveys"): Probe(body={"recipients": ["probe-nps@example.com"]}),
    ("GET", "/api/v1/nps/surveys/{survey_id}"): Probe(names_object=True),
    ("GET", "/api/v1/nps/surveys/{survey_id}/recipients"): Probe(names_object=True),
    ("GET", "/api/v1/nps/surveys/{survey_id}/responses"): Probe(names_object=True),
    ("GET", "/api/v1/ratings"): Probe(),
    ("POST", "/api/v1/ratings/{token}"): Probe(names_object=True, body={"score": 5}),
    ("GET", "/app/nps"): Probe(),
    ("POST", "/app/nps/surveys"): Probe(form={"recipients": "probe-nps@example.com"}),
    ("GET", "/app/nps/surveys/{survey_id}"): Probe(names_object=True),
    ("GET", "/app/ratings"): Probe(),
    ("GET", "/help/{slug}/rate/{token}"): Probe(names_object=True),
    ("POST", "/help/{slug}/rate/{token}"): Probe(names_object=True, form={"score": "5"}),
    ("GET", "/help/{slug}/nps/{token}"): Probe(names_object=True),
    ("POST", "/help/{slug}/nps/{token}"): Probe(names_object=True, form={"score": "9"}),
    ("GET", "/api/v1/agents/{agent_id}/reputation"): Probe(names_object=True),
    ("GET", "/app/agents/{agent_id}"): Probe(names_object=True),
    ("GET", "/api/v1/agent/reviews"): Probe(),
    ("POST", "/api/v1/agent/reviews/{review_id}"): Probe(
        names_object=True, body={"correct": 1, "complete": 1, "tone": 1, "comment": "Hijacked"}
    ),
    ("GET", "/api/v1/agent/feedback"): Probe(),
    ("GET", "/agent/reputation"): Probe(),
    ("GET", "/agent/reviews"): Probe(),
    ("GET", "/agent/reviews/{review_id}"): Probe(names_object=True),
    ("POST", "/agent/reviews/{review_id}"): Probe(
        names_object=True, form={"correct": "4", "complete": "4", "tone": "5", "comment": "Clear"}
    ),
    ("GET", "/api/v1/admin/reputation/promotions"): Probe(),
    ("GET", "/admin/reputation"): Probe(),
    # metrics dashboards (issue 16): B's own figures; A's agent (any agent B never contracted) is 404
    ("GET", "/api/v1/metrics/business"): Probe(query="from=2026-11-01&to=2026-11-30"),
    ("GET", "/api/v1/metrics/agents/{agent_id}"): Probe(
        names_object=True, query="from=2026-11-01&to=2026-11-30"
    ),
    ("GET", "/app/metrics"): Probe(query="from=2026-11-01&to=2026-11-30"),
    ("POST", "/app/metrics/spikes/{spike_key}/dismiss"): Probe(names_object=True),
    ("GET", "/app/metrics.csv"): Probe(query="table=agents&from=2026-11-01&to=2026-11-30"),
    ("GET", "/app/metrics/agents/{agent_id}"): Probe(names_object=True),
    ("GET", "/app/metrics/agents/{agent_id}/scorecard.csv"): Probe(names_object=True),
    ("GET", "/agent/scorecard"): Probe(),
    ("GET", "/agent/scorecard.csv"): Probe(),
    # daily order counts (issue 16): B's own day whatever it posts; an agent is 403
    ("POST", "/api/v1/orders/daily"): Probe(body={"day": "2026-11-20", "count": 5}),
    ("GET", "/app/orders"): Probe(),
    ("POST", "/app/orders"): Probe(form={"day": "2026-11-20", "count": "5"}),
    # helpdesk integrations (issue 15, slice 10): events come with a key (a person's token is 403);
    # the log and the addresses are the caller's own; A's address by id is 404
    ("POST", "/api/v1/integrations/helpdesk/events"): Probe(
        body={"product": "zendesk", "event": "created", "ticket_id": "9001", "subject": "Hijacked"}
    ),
    ("GET", "/api/v1/integrations/helpdesk/events"): Probe(),
    ("DELETE", "/api/v1/integrations/helpdesk/attention/{address_id}"): Probe(names_object=True),
    ("GET", "/app/support/integrations"): Probe(),
    ("POST", "/app/support/integrations/attention/{address_id}/dismiss"): Probe(names_object=True),
}


def registered_routes(app) -> list[tuple[str, str]]:
    routes = []
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if getattr(entry.view_function, "is_method_guard", False):
                continue
            routes.append((method, path))
    return sorted(routes)


def test_every_route_has_a_probe(app):
    missing = [route for route in registered_routes(app) if route not in PROBES]
    assert not missing, f"give these routes an entry in PROBES: {missing}"
    stale = [route for route in PROBES if route not in registered_routes(app)]
    assert not stale, f"these probes name routes that no longer exist: {stale}"


@pytest.fixture
def world(client, paying):
    """Business A with a teammate, a pending invitation, an API key and audit entries; business B
    (API token and portal session); an agent (API token and portal session)."""
    from tests.integration.contract_helpers import MONDAY

    deps = paying.deps
    deps.clock.now = MONDAY
    a = business(client, company_name="Alpha Secret Holdings")
    a.update(contract_setup(client, deps, a))
    paying.add_card(a)  # A has a Stripe customer and a card on file
    setup = call(client, "POST", "/api/v1/billing/setup-intents", token=a["token"]).json
    a["setup_intent_id"] = setup["setup_intent_id"]
    email = unique("alpha-mate-") + "@example.com"
    call(client, "POST", "/api/v1/team/invites", {"email": email, "role": "manager"}, token=a["token"])
    token = deps.mailer.last_to(email).text.split("/invites/")[1].split()[0]
    mate = call(
        client, "POST", f"/api/v1/invites/{token}/accept", {"name": "Alpha Mate", "password": STRONG}
    ).json
    pending_email = unique("alpha-pending-") + "@example.com"
    invite = call(
        client, "POST", "/api/v1/team/invites", {"email": pending_email, "role": "admin"}, token=a["token"]
    ).json
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Alpha integration"}, token=a["token"]).json
    opening = call(
        client, "POST", "/api/v1/openings", opening_body(title="Alpha Night Shift"), token=a["token"]
    ).json
    call(client, "POST", f"/api/v1/openings/{opening['id']}/publish", token=a["token"])
    a.update(
        opening_id=opening["id"],
        mate_id=mate["principal"]["id"],
        mate_email=email,
        invite_id=invite["id"],
        pending_email=pending_email,
        key=key,
    )

    # an agent nobody has vetted: not visible to businesses, not vettable by them
    a["pending_agent_id"] = agent(client, name="Alpha Pending Agent")["id"]
    # an approved agent applies to A's opening and they exchange a message
    from chalicelib.services.accounts import create_operator

    ops_email = unique("probe-ops-") + "@example.com"
    create_operator(name="Probe Ops", email=ops_email, password=STRONG, deps=deps)
    ops = call(client, "POST", "/api/v1/sessions", {"email": ops_email, "password": STRONG}).json["token"]
    applicant = agent(client, name="Alpha Applicant")
    call(client, "PUT", "/api/v1/agent/profile", profile_body(), token=applicant["token"])
    call(client, "POST", f"/api/v1/admin/agents/{applicant['id']}/approve", {"tier": 1}, token=ops)
    application = call(
        client,
        "POST",
        f"/api/v1/openings/{a['opening_id']}/applications",
        {
            "cover_note": "Alpha cover note",
            "proposed_rate": {"amount": 2100, "currency": "usd"},
            "earliest_start": "2027-01-04",
        },
        token=applicant["token"],
    ).json
    call(
        client,
        "POST",
        f"/api/v1/applications/{application['id']}/messages",
        {"body": "Alpha private message"},
        token=a["token"],
    )
    a["application_id"] = application["id"]
    a["applicant"] = applicant  # the agent of A's application (the portal walk acts as them)
    interview = call(
        client,
        "POST",
        f"/api/v1/applications/{application['id']}/interviews",
        {"slots": ["2031-01-01T10:00:00Z"], "duration_minutes": 30},
        token=a["token"],
    ).json
    a["interview_id"] = interview["id"]
    category = call(
        client, "POST", "/api/v1/kb/categories", {"name": "Alpha Secret Category"}, token=a["token"]
    ).json
    article = call(
        client,
        "POST",
        "/api/v1/kb/articles",
        {
            "title": "Alpha Refund Secrets",
            "body": "Alpha knowledge body about refund secrets",
            "language": "en",
            "category": category["slug"],
            "status": "published",
        },
        token=a["token"],
    ).json
    a.update(article_id=article["id"], article_slug=article["slug"], category=category["slug"])
    inquiry = call(
        client,
        "POST",
        "/api/v1/inquiries",
        {
            "customer_email": "alpha-customer@example.com",
            "subject": "Alpha secret inquiry",
            "body": "Alpha customer's private words",
            "language": "en",
        },
        token=key["secret"],
    ).json
    a.update(inquiry_id=inquiry["id"], inquiry_email="alpha-customer@example.com")
    # A's helpdesk (issue 15, slice 10): a ticket, and an address no agent of A's uses
    ticket = {
        "product": "zendesk",
        "event": "replied",
        "ticket_id": "9001",
        "subject": "Alpha helpdesk secret",
        "requester_email": "alpha-customer@example.com",
        "agent_email": "alpha-temp@agency.example",
    }
    assert (
        call(client, "POST", "/api/v1/integrations/helpdesk/events", ticket, token=key["secret"]).status_code
        == 202
    )
    seen = call(client, "GET", "/api/v1/integrations/helpdesk/events", token=a["token"]).json
    a["address_id"] = seen["attention"][0]["id"]
    a.update(survey_helpers.seed_answers(client, deps, a))  # a survey, a rating, a peer review
    b = business(client, company_name="Bravo Co")
    a["probe_help_slug"] = b["slug"]  # B's help centre, probed with A's article and category
    b_portal = PortalSession(client)
    b_portal.get("/login")
    signed_in = b_portal.post("/login", {"email": b["email"], "password": STRONG})
    assert signed_in.status_code == 303
    b_portal.get("/app")
    someone = agent(client)
    agent_portal = PortalSession(client)
    agent_portal.get("/login")
    agent_portal.post("/login", {"email": someone["email"], "password": STRONG})
    agent_portal.get("/agent")
    return {"a": a, "b": b, "b_portal": b_portal, "agent": someone, "agent_portal": agent_portal}


def contract_setup(client, deps, a) -> dict:
    """A's contract with its agent: two entries in 2026-W48, one disputed in the review window, a
    change to the cap waiting for the agent's answer. Leaves the clock at Monday 30 Nov 13:00 UTC
    and refreshes A's token (bearer tokens last a day)."""
    from chalicelib.services.accounts import create_operator
    from tests.integration.contract_helpers import (
        accept,
        apply,
        approved,
        at,
        log,
        offer,
        published_opening,
        sign_in,
    )

    ops_email = unique("contract-ops-") + "@example.com"
    create_operator(name="Contract Ops", email=ops_email, password=STRONG, deps=deps)
    ops = {
        "email": ops_email,
        "token": call(client, "POST", "/api/v1/sessions", {"email": ops_email, "password": STRONG}).json[
            "token"
        ],
    }
    contractor = approved(client, ops, name="Alpha Contractor")
    opening = published_opening(client, a, title="Alpha Day Shift", seats=2)
    application = apply(client, contractor, opening)
    contract = accept(client, contractor, offer(client, a, application["id"], note="Alpha offer note")["id"])
    deps.clock.now = at(24, 18)
    sign_in(client, contractor)
    entries = [
        log(client, contractor, contract["id"], at(24, 9), at(24, 10), memo="Alpha secret memo").json[
            "entries"
        ][0],
        log(client, contractor, contract["id"], at(24, 11), at(24, 12), memo="Alpha other memo").json[
            "entries"
        ][0],
    ]
    deps.clock.now = at(30, 13)
    sign_in(client, a), sign_in(client, contractor)
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{contract['id']}/entries/{entries[0]['id']}/dispute",
        {"reason": "Alpha dispute reason"},
        token=a["token"],
    ).json
    amendment = call(
        client,
        "POST",
        f"/api/v1/contracts/{contract['id']}/amendments",
        {"weekly_cap_minutes": 900, "note": "Alpha amendment note"},
        token=a["token"],
    ).json
    return {
        "contract_id": contract["id"],
        "contract_application_id": application["id"],
        "entry_id": entries[1]["id"],
        "disputed_entry_id": entries[0]["id"],
        "dispute_id": dispute["id"],
        "amendment_id": amendment["id"],
        "week": "2026-W48",
        "contractor": contractor,
    }


def a_markers(a) -> list[str]:
    return [
        a["tenant_id"],
        a["member_id"],
        a["mate_id"],
        a["invite_id"],
        a["key"]["id"],
        a["key"]["prefix"],
        a["email"],
        a["mate_email"],
        a["pending_email"],
        "Alpha Secret Holdings",
        "Alpha Mate",
        "Alpha integration",
        a["opening_id"],
        "Alpha Night Shift",
        a["pending_agent_id"],
        "Alpha Pending Agent",
        a["application_id"],
        "Alpha cover note",
        "Alpha private message",
        a["interview_id"],
        a["contract_id"],
        a["entry_id"],
        a["disputed_entry_id"],
        a["dispute_id"],
        a["amendment_id"],
        a["setup_intent_id"],
        "Alpha Day Shift",
        "Alpha offer note",
        "Alpha secret memo",
        "Alpha other memo",
        "Alpha dispute reason",
        "Alpha amendment note",
        "Alpha Contractor",
        a["article_id"],
        "Alpha Refund Secrets",
        "Alpha knowledge body",
        "Alpha Secret Category",
        a["inquiry_id"],
        "Alpha secret inquiry",
        "Alpha customer's private words",
        "alpha-customer@example.com",
        "Alpha helpdesk secret",
        "alpha-temp@agency.example",
        *survey_helpers.MARKERS,
    ]


def a_snapshot(client, a) -> str:
    members = call(client, "GET", "/api/v1/team/members", token=a["token"]).json
    invites = call(client, "GET", "/api/v1/team/invites", token=a["token"]).json
    keys = call(client, "GET", "/api/v1/api-keys", token=a["token"]).json
    openings = call(client, "GET", "/api/v1/openings", token=a["token"]).json
    applications = call(
        client, "GET", f"/api/v1/openings/{a['opening_id']}/applications", token=a["token"]
    ).json
    thread = call(
        client, "GET", f"/api/v1/applications/{a['application_id']}/messages", token=a["token"]
    ).json
    contract = call(client, "GET", f"/api/v1/contracts/{a['contract_id']}", token=a["token"]).json
    sheet = call(
        client, "GET", f"/api/v1/contracts/{a['contract_id']}/timesheets/2026-W48", token=a["token"]
    ).json
    dispute = call(
        client,
        "GET",
        f"/api/v1/contracts/{a['contract_id']}/entries/{a['disputed_entry_id']}/dispute",
        token=a["token"],
    ).json
    clock = call(client, "GET", "/api/v1/clock", token=a["contractor"]["token"]).json
    billing = call(client, "GET", "/api/v1/billing/account", token=a["token"]).json
    knowledge = [
        call(client, "GET", "/api/v1/kb/articles", token=a["token"]).json,
        call(client, "GET", "/api/v1/kb/categories", token=a["token"]).json,
        call(client, "GET", "/api/v1/kb/search?q=refund", token=a["token"]).json,
        call(client, "GET", f"/api/v1/inquiries/{a['inquiry_id']}", token=a["token"]).json,
        call(client, "GET", "/api/v1/inquiries?view=all", token=a["token"]).json,
        call(client, "GET", "/api/v1/nps/surveys", token=a["token"]).json,
        call(client, "GET", f"/api/v1/nps/surveys/{a['survey_id']}/responses", token=a["token"]).json,
        call(client, "GET", "/api/v1/ratings?month=2026-11", token=a["token"]).json,
        call(client, "GET", "/api/v1/integrations/helpdesk/events", token=a["token"]).json["attention"],
    ]
    return json.dumps(
        [
            members,
            invites,
            keys,
            openings,
            applications,
            thread["messages"],
            contract,
            sheet,
            dispute,
            clock,
            billing,
            knowledge,
        ],
        sort_keys=True,
    )


def fill(path: str, a) -> str:
    values = {
        "member_id": a["mate_id"],
        "invite_id": a["invite_id"],
        "key_id": a["key"]["id"],
        "opening_id": a["opening_id"],
        "agent_id": a["pending_agent_id"],
        "application_id": a["application_id"],
        "interview_id": a["interview_id"],
        "contract_id": a["contract_id"],
        "contract_application_id": a["contract_application_id"],
        "entry_id": a["entry_id"],
        "dispute_id": a["dispute_id"],
        "amendment_id": a["amendment_id"],
        "week": a["week"],
        "tenant_id": a["tenant_id"],
        "setup_intent_id": a["setup_intent_id"],
        "number": "2",  # a further block of A's contract (hourly: B must still get 404, not 409)
        "article_id": a["article_id"],
        "article_slug": a["article_slug"],
        "category": a["category"],
        "slug": a["probe_help_slug"],
        "inquiry_id": a["inquiry_id"],
        "inquiry_email": a["inquiry_email"],
        "survey_id": a["survey_id"],
        "review_id": a["review_id"],
        "address_id": a["address_id"],
        "spike_key": "2026-11-20",  # a day's spike: B has none of A's to close
        "secret": "dhm_probe-not-a-secret",
        **BOGUS_TOKEN,
    }
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def filled(value, a):
    """A probe's body or form with A's ids put in for their {placeholders}."""
    if isinstance(value, str):
        return fill(value, a)
    if isinstance(value, dict):
        return {k: filled(v, a) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, a) for v in value]
    return value


def test_no_route_lets_another_tenant_or_an_agent_reach_business_a(client, app, world):
    a = world["a"]
    before = a_snapshot(client, a)
    markers = a_markers(a)
    api_paths = {(op.method, op.path) for op in OPERATIONS}
    page_paths = {(r.method, r.path) for r in PAGE_ROUTES}
    failures = []

    for method, path in registered_routes(app):
        probe = PROBES[(method, path)]
        concrete = fill(path, a) + (f"?{fill(probe.query, a)}" if probe.query else "")
        if (method, path) in api_paths or path.startswith("/api/"):
            callers = {"business B": world["b"]["token"], "agent": world["agent"]["token"]}
            for who, token in callers.items():
                if path == "/api/v1/sessions/current":
                    continue  # would end the probing session itself; covered by its own tests
                response = call(client, method, concrete, filled(probe.body, a), token=token)
                check(failures, who, method, path, probe, response.status_code, response.body, markers)
        else:
            assert (method, path) in page_paths or path.startswith("/static/"), (method, path)
            for who in ("b_portal", "agent_portal"):
                if path == "/logout":
                    continue  # would end the probing session itself; covered by its own tests
                browser = world[who]
                response = (
                    browser.post(concrete, filled(probe.form, a))
                    if method == "POST"
                    else browser.get(concrete)
                )
                check(failures, who, method, path, probe, response.status_code, response.body, markers)
                # the session's CSRF token is the same on every page of it: re-read one only when
                # this answer carried none (a light page: the home pages compute a dashboard)
                if 'name="csrf_token"' not in (response.text or ""):
                    browser.get("/app/settings" if who == "b_portal" else "/agent/settings")

    assert not failures, "\n".join(failures)
    assert a_snapshot(client, a) == before, "business A's data changed under the probe"
    # and A's own key still works: nothing of A was revoked by a stranger
    assert call(client, "GET", "/api/v1/integrations/whoami", token=a["key"]["secret"]).status_code == 200


def check(failures, who, method, path, probe, status, body, markers):
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    leaked = [m for m in markers if m and m in text]
    if leaked:
        failures.append(f"{who} {method} {path}: response carries A's {leaked}")
    if status >= 500:
        failures.append(f"{who} {method} {path}: {status}")
    if probe.names_object and status not in (401, 403, 404):
        failures.append(f"{who} {method} {path}: expected 404 (or 401/403), got {status}")


def test_r2_an_inquiry_belongs_to_the_keys_business_whatever_its_body_says(client, deps):
    """PROMISES R2 and T1 for support: an inquiry made with A's key is A's whatever the body names
    (a tenant in the body is refused, not followed); a revoked key is 401; an agent who is neither
    assigned nor under contract with A gets 404 when replying, and A's thread is unchanged."""
    a, b = business(client, company_name="Alpha Support"), business(client, company_name="Bravo Support")
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Alpha shop"}, token=a["token"]).json
    body = {
        "customer_email": "jane@example.com",
        "subject": "Order",
        "body": "Where is it?",
        "language": "en",
    }
    made = call(client, "POST", "/api/v1/inquiries", body, token=key["secret"])
    assert made.status_code == 201
    foreign = call(
        client, "POST", "/api/v1/inquiries", {**body, "tenant_id": b["tenant_id"]}, token=key["secret"]
    )
    assert foreign.status_code == 400 and foreign.json["error"]["field"] == "tenant_id"
    inquiry = made.json["id"]
    assert call(client, "GET", f"/api/v1/inquiries/{inquiry}", token=a["token"]).status_code == 200
    assert call(client, "GET", f"/api/v1/inquiries/{inquiry}", token=b["token"]).status_code == 404
    assert call(client, "GET", "/api/v1/inquiries", token=b["token"]).json["inquiries"] == []
    stranger = agent(client)
    reply = call(
        client, "POST", f"/api/v1/inquiries/{inquiry}/replies", {"body": "Hi"}, token=stranger["token"]
    )
    assert reply.status_code == 404
    thread = call(client, "GET", f"/api/v1/inquiries/{inquiry}/replies", token=a["token"]).json["messages"]
    assert [m["author"] for m in thread] == ["customer"]
    call(client, "DELETE", f"/api/v1/api-keys/{key['id']}", token=a["token"])
    assert call(client, "POST", "/api/v1/inquiries", body, token=key["secret"]).status_code == 401
