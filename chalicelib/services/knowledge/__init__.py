"""The knowledge base and the public help centre (issue 15), one module per use case:

- `articles`: the business writes, publishes, unpublishes and deletes articles; categories;
- `index`: the stored search index, rebuilt when what is published changes, and cached per
  container by its version;
- `search`: full-text search of the published articles (the API, the help centre, and the agent
  workspace's suggestions);
- `help_centre`: the public help centre's reads, by the business's slug, and its rate limits;
- `visits`: help-centre visits and the daily deflection counts.

The two calls other support slices make are defined here, with the signatures they rely on;
everything else is imported from the module that holds it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.composition import Deps
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services.knowledge.search import Suggestion


def suggest(tenant: TenantId, text: str, language: str | None = None, limit: int = 5) -> list[Suggestion]:
    """Published articles of `tenant` that may answer `text` (an inquiry's subject and first
    message, say), best first, at most `limit` (1 to 20). `language` is the inquiry's ISO 639-1
    code: articles in it are searched (with its stemmer); when the business has no article in that
    language, or `language` is None, every language is. Each suggestion carries the article's id,
    title, slug, excerpt, language and its public URL path (`/help/<business slug>/articles/<slug>`).

    Costs one GetItem (the KB's head), plus one Query page per ~1 MB of index the first time a
    container sees this version of the index; never reads inquiries or articles. Returns [] when the
    business has no published article or `text` has no word to search for."""
    from chalicelib.services.knowledge import search

    return search.suggest(tenant, text, language=language, limit=limit)


def record_contact_submitted(tenant: TenantId, visit_id: str | None, *, deps: Deps) -> None:
    """Note that the help-centre visit `visit_id` sent the contact form (call it after the inquiry
    is stored): that visit no longer counts as deflected. `visit_id` is what
    `visits.visit_id_from_cookies(cookies, deps=deps)` reads from the request's cookies (None when
    the visitor came without one: nothing is recorded). Idempotent: a second call for the same
    visit changes nothing. A visit that is over (30 minutes idle, or 4 hours old) is left as it
    was: the submission belongs to a new visit, which then counts as contacted."""
    from chalicelib.domain.knowledge import Event
    from chalicelib.services.knowledge import visits

    visits.record(tenant, visit_id, Event.SUBMIT, deps=deps)
