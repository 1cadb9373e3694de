"""Business A's answers for the isolation probe and the portal's POST walk (issue 15, slices 7-9):
an NPS survey answered with a comment, a CSAT rating of a resolved inquiry, and a peer review of a
reply waiting for A's contractor."""

from __future__ import annotations

import re

from tests.integration.helpers import call
from tests.integration.portal_helpers import PortalSession

# What of A's answers no other business or agent may see.
MARKERS = ["Alpha Secret Survey", "alpha-nps@example.com", "Alpha survey comment", "Alpha rating comment"]


def seed_answers(client, deps, a: dict) -> dict:
    """A's survey (its id), a rated inquiry, and a peer review (its id) assigned to A's contractor
    of a reply by A's applicant: written as the weekly job writes it (the job needs two agents
    with replies under contract, more than the probe's world has)."""
    from chalicelib.domain.tenancy import AgentId, TenantId
    from chalicelib.ids import new_id
    from chalicelib.store.reputation import PeerReviewRecord, review_key, reviews_to_do_index

    key = a["key"]["secret"]
    survey = call(
        client,
        "POST",
        "/api/v1/nps/surveys",
        {"name": "Alpha Secret Survey", "recipients": ["alpha-nps@example.com"]},
        token=key,
    ).json
    link = re.search(
        r"https?://[^/\s]+(/help/\S+/nps/\S+)", deps.mailer.last_to("alpha-nps@example.com").text
    )
    assert link is not None
    customer = PortalSession(client)
    customer.get(link.group(1))
    assert customer.post(link.group(1), {"score": "3", "comment": "Alpha survey comment"}).status_code == 303

    rated = call(
        client,
        "POST",
        "/api/v1/inquiries",
        {"customer_email": "alpha-rater@example.com", "subject": "Rated", "body": "Hi", "language": "en"},
        token=key,
    ).json
    path = f"/api/v1/inquiries/{rated['id']}"
    call(client, "POST", f"{path}/replies", {"body": "Answered."}, token=a["token"])
    call(client, "POST", f"{path}/resolve", {}, token=a["token"])
    rating = re.search(
        r"  4 - Good: https?://[^/\s]+/help/\S+/rate/(\S+)",
        deps.mailer.last_to("alpha-rater@example.com").text,
    )
    assert rating is not None
    assert (
        call(
            client,
            "POST",
            f"/api/v1/ratings/{rating.group(1)}",
            {"score": 4, "comment": "Alpha rating comment"},
        ).status_code
        == 201
    )

    tenant, review_id = TenantId(a["tenant_id"]), new_id()
    reviewer = a["contractor"]
    PeerReviewRecord(
        *review_key(tenant, a["week"], review_id),
        review_id=review_id,
        tenant_id=tenant.value,
        business_name="Alpha Secret Holdings",
        week=a["week"],
        agent_id=a["applicant"]["id"],
        agent_name="Alpha Applicant",
        reviewer_id=reviewer["id"],
        reviewer_name="Alpha Contractor",
        inquiry_id=a["inquiry_id"],
        number=1,
        message_sk=None,
        replied_at=deps.now(),
        excerpt="Alpha customer's private words",
        assigned_at=deps.now(),
        status="to_do",
        gsi1pk=reviews_to_do_index(AgentId(reviewer["id"])),
        gsi1sk=review_id,
    ).save()
    return {"survey_id": survey["id"], "review_id": review_id}
