"""What a business pastes into its helpdesk so that its ticket events reach deskhire (issue 15,
slice 10): one webhook per product, then one trigger (Zendesk) or automation rule (Freshdesk) per
event, each with the JSON body below. The integrations page shows these, docs/support.md
("Helpdesk integrations") quotes them word for word, and a test fills their placeholders the way
each product does and posts them to the endpoint.

Every body repeats the ticket's facts (subject, requester, priority, channel), so that whichever
event reaches deskhire first makes the inquiry whole; the `created` event adds the ticket's text."""

from __future__ import annotations

import json
from dataclasses import dataclass

from chalicelib.domain.helpdesk import Product


@dataclass(frozen=True)
class Rule:
    name: str
    where: str  # where in the product the rule is made
    when: tuple[str, ...]  # its conditions (or events), as the product names them
    body: str  # the webhook's JSON body, placeholders in strings

    @property
    def event(self) -> str:
        return json.loads(self.body)["event"]


@dataclass(frozen=True)
class Setup:
    product: Product
    webhook: tuple[str, ...]  # making the webhook: each step
    rules: tuple[Rule, ...]


def _body(**fields: str) -> str:
    return json.dumps(fields, indent=2)


_ZENDESK_FACTS = {
    "ticket_id": "{{ticket.id}}",
    "created_at": "{{ticket.created_at_with_timestamp}}",
    "subject": "{{ticket.title}}",
    "requester_email": "{{ticket.requester.email}}",
    "requester_name": "{{ticket.requester.name}}",
    "priority": "{{ticket.priority}}",
    "channel": "{{ticket.via}}",
}
_ZENDESK_TRIGGERS = "Admin Center > Objects and rules > Business rules > Triggers > Create trigger"
_ZENDESK_ACTION = "Action: Notify by > Active webhook > deskhire, with this JSON body"

ZENDESK = Setup(
    product=Product.ZENDESK,
    webhook=(
        "Admin Center > Apps and integrations > Webhooks > Create webhook > Trigger or automation",
        "Endpoint URL: {endpoint}",
        "Request method: POST; request format: JSON",
        "Authentication: Bearer token; token: an API key of yours (dhk_...), made for Zendesk",
    ),
    rules=(
        Rule(
            "deskhire: ticket created",
            _ZENDESK_TRIGGERS,
            ("Meet ALL: Ticket | Is | Created",),
            _body(product="zendesk", event="created", **_ZENDESK_FACTS, description="{{ticket.description}}"),
        ),
        Rule(
            "deskhire: public reply",
            _ZENDESK_TRIGGERS,
            ("Meet ALL: Ticket | Is | Updated", "Comment | Is | Public", "Current user | Is | (agent)"),
            _body(
                product="zendesk",
                event="replied",
                at="{{ticket.updated_at_with_timestamp}}",
                agent_email="{{current_user.email}}",
                **_ZENDESK_FACTS,
            ),
        ),
        Rule(
            "deskhire: ticket solved",
            _ZENDESK_TRIGGERS,
            ("Meet ALL: Ticket | Is | Updated", "Ticket status | Changed to | Solved"),
            _body(
                product="zendesk",
                event="solved",
                at="{{ticket.updated_at_with_timestamp}}",
                agent_email="{{current_user.email}}",
                **_ZENDESK_FACTS,
            ),
        ),
        Rule(
            "deskhire: satisfaction",
            _ZENDESK_TRIGGERS,
            (
                "Meet ALL: Ticket | Is | Updated",
                "Meet ANY: Satisfaction | Changed to | Good, Good with comment, Bad, Bad with comment (one line each)",
            ),
            _body(
                product="zendesk",
                event="rated",
                at="{{ticket.updated_at_with_timestamp}}",
                rating="{{satisfaction.current_rating}}",
                comment="{{satisfaction.current_comment}}",
                agent_email="{{ticket.assignee.email}}",
                **_ZENDESK_FACTS,
            ),
        ),
    ),
)

# Zendesk's own event webhook, taken as it comes (another webhook: Zendesk lets a webhook either
# serve triggers or subscribe to events, not both).
ZENDESK_EVENTS = (
    "Admin Center > Apps and integrations > Webhooks > Create webhook > Zendesk events",
    "Events: Ticket created, Comment added, Status changed (zen:event-type:ticket.created, "
    "ticket.comment_added, ticket.status_changed)",
    "Endpoint URL: {endpoint}; authentication: Bearer token, an API key of yours",
)

_FRESHDESK_FACTS = {
    "ticket_id": "{{ticket.id}}",
    "subject": "{{ticket.subject}}",
    "requester_email": "{{ticket.requester.email}}",
    "requester_name": "{{ticket.requester.name}}",
    "priority": "{{ticket.priority}}",
    "channel": "{{ticket.source}}",
}
_FRESHDESK_UPDATES = "Admin > Workflows > Automations > Ticket updates > New rule"

FRESHDESK = Setup(
    product=Product.FRESHDESK,
    webhook=(
        "In each rule below: Perform these actions > Trigger webhook",
        "Request type: POST; URL: {endpoint}",
        "Custom headers: Authorization: Bearer <an API key of yours (dhk_...), made for Freshdesk>",
        "Encoding: JSON; content: Advanced, with the rule's JSON body",
    ),
    rules=(
        Rule(
            "deskhire: ticket created",
            "Admin > Workflows > Automations > Ticket creation > New rule",
            ("On tickets with these properties: any ticket",),
            _body(
                product="freshdesk", event="created", **_FRESHDESK_FACTS, description="{{ticket.description}}"
            ),
        ),
        Rule(
            "deskhire: reply sent",
            _FRESHDESK_UPDATES,
            ("Event performer: Agent", "Event: Reply is sent"),
            _body(
                product="freshdesk", event="replied", agent_email="{{ticket.agent.email}}", **_FRESHDESK_FACTS
            ),
        ),
        Rule(
            "deskhire: ticket resolved",
            _FRESHDESK_UPDATES,
            ("Event performer: Agent", "Event: Status is changed from Any status to Resolved"),
            _body(
                product="freshdesk", event="solved", agent_email="{{ticket.agent.email}}", **_FRESHDESK_FACTS
            ),
        ),
        Rule(
            "deskhire: feedback (one rule per rating)",
            _FRESHDESK_UPDATES,
            (
                "Event performer: Requester",
                "Event: Customer feedback is received, with one rating (a rule for each of your survey's "
                'ratings; put it in "rating": "good" for the best, "bad" for the worst, or 1 to 5)',
            ),
            _body(
                product="freshdesk",
                event="rated",
                rating="good",
                agent_email="{{ticket.agent.email}}",
                **_FRESHDESK_FACTS,
            ),
        ),
    ),
)

SETUPS = (ZENDESK, FRESHDESK)
