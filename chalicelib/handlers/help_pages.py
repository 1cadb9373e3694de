"""The public help centre of a business, `/help/<slug>` (no sign-in): search first, then the
published articles by category, one article at a time, and a way to the contact form
(`/help/<slug>/contact`, the inquiries' page). Every page is rate-limited per client address and
per business; searches have a smaller bucket of their own.

A first-party cookie names the visit (services/knowledge/visits.py): it is how a search, an
article opened and a contact form sent are known to be one visit, for the deflection count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.web.auth import PUBLIC, client_address
from chalicelib.web.portal import PageContext, Portal, cookie

if TYPE_CHECKING:
    from chalicelib.domain.knowledge import Event
    from chalicelib.services.knowledge.help_centre import HelpBusiness
    from chalicelib.services.knowledge.search import Catalogue

pages = Portal(__name__)

RESULTS = 20
VISIT_COOKIE_SECONDS = 30 * 60

# The help centre's own words, in the languages its articles are written in (English otherwise).
WORDS = {
    "en": {
        "search": "Search",
        "search_label": "Search the help centre",
        "placeholder": "Describe your question",
        "results_for": "Results for",
        "no_results": "No article matches your search. Try other words, or contact us.",
        "articles": "Articles",
        "other": "Other articles",
        "no_articles": "There are no articles here yet.",
        "still": "Still need help?",
        "contact": "Contact us",
        "updated": "Updated",
        "home": "Help centre",
        "language": "Language",
    },
    "es": {
        "search": "Buscar",
        "search_label": "Buscar en el centro de ayuda",
        "placeholder": "Describe tu pregunta",
        "results_for": "Resultados para",
        "no_results": "Ningún artículo coincide con tu búsqueda. Prueba con otras palabras o contáctanos.",
        "articles": "Artículos",
        "other": "Otros artículos",
        "no_articles": "Todavía no hay artículos.",
        "still": "¿Sigues necesitando ayuda?",
        "contact": "Contáctanos",
        "updated": "Actualizado",
        "home": "Centro de ayuda",
        "language": "Idioma",
    },
    "pt": {
        "search": "Pesquisar",
        "search_label": "Pesquisar na central de ajuda",
        "placeholder": "Descreva a sua pergunta",
        "results_for": "Resultados para",
        "no_results": "Nenhum artigo corresponde à sua pesquisa. Tente outras palavras ou fale connosco.",
        "articles": "Artigos",
        "other": "Outros artigos",
        "no_articles": "Ainda não há artigos.",
        "still": "Ainda precisa de ajuda?",
        "contact": "Fale connosco",
        "updated": "Atualizado",
        "home": "Central de ajuda",
        "language": "Idioma",
    },
    "fr": {
        "search": "Rechercher",
        "search_label": "Rechercher dans le centre d'aide",
        "placeholder": "Décrivez votre question",
        "results_for": "Résultats pour",
        "no_results": "Aucun article ne correspond à votre recherche. Essayez d'autres mots ou contactez-nous.",
        "articles": "Articles",
        "other": "Autres articles",
        "no_articles": "Il n'y a pas encore d'article.",
        "still": "Besoin d'aide supplémentaire ?",
        "contact": "Contactez-nous",
        "updated": "Mis à jour",
        "home": "Centre d'aide",
        "language": "Langue",
    },
    "de": {
        "search": "Suchen",
        "search_label": "Im Hilfe-Center suchen",
        "placeholder": "Beschreiben Sie Ihre Frage",
        "results_for": "Ergebnisse für",
        "no_results": "Kein Artikel passt zu Ihrer Suche. Versuchen Sie andere Wörter oder kontaktieren Sie uns.",
        "articles": "Artikel",
        "other": "Weitere Artikel",
        "no_articles": "Hier gibt es noch keine Artikel.",
        "still": "Brauchen Sie weitere Hilfe?",
        "contact": "Kontaktieren Sie uns",
        "updated": "Aktualisiert",
        "home": "Hilfe-Center",
        "language": "Sprache",
    },
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def _language(ctx: PageContext, catalogue: Catalogue) -> str:
    """The language to show: `?lang=` when the business writes in it, else the browser's first
    preference it writes in, else the one it writes most in."""
    offered = catalogue.languages
    if not offered:
        return "en"
    asked = (ctx.request.query_params or {}).get("lang")
    if asked in offered:
        return asked
    for part in (ctx.request.headers.get("accept-language") or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in offered:
            return code
    counts = {code: 0 for code in offered}
    for article in catalogue.articles:
        counts[article.language] = counts.get(article.language, 0) + 1
    return max(sorted(counts), key=lambda code: counts[code])


def _open(ctx: PageContext, slug: str, *, searching: bool) -> HelpBusiness:
    """The business at `slug`, after the visitor's and the business's rate limits."""
    from chalicelib.services.knowledge import help_centre

    address = client_address(ctx.request)
    help_centre.admit_address(address, searching=searching, deps=ctx.deps)
    found = help_centre.business(slug)
    help_centre.admit_business(found, deps=ctx.deps)
    return found


def _record(ctx: PageContext, found: HelpBusiness, event: Event, *, found_nothing: bool = False) -> None:
    from chalicelib.services.knowledge import visits
    from chalicelib.web.portal import read_cookies

    viewer = ctx.viewer
    if viewer is not None and viewer.tenant == found.tenant:
        return  # the business's own team looking at its help centre is no visit of a customer
    current = visits.visit_id_from_cookies(read_cookies(ctx.request), deps=ctx.deps)
    visit_id = visits.record(found.tenant, current, event, deps=ctx.deps, found_nothing=found_nothing)
    if visit_id is not None:
        ctx.set_cookies.append(
            cookie(
                visits.cookie_name(ctx.deps.settings.is_local),
                visits.cookie_value(visit_id, deps=ctx.deps),
                max_age=VISIT_COOKIE_SECONDS,
                secure=ctx.secure_cookies,
            )
        )


def _page(
    ctx: PageContext, template: str, found: HelpBusiness, catalogue: Catalogue, language: str, **context
):
    from chalicelib.domain.vocabulary import LANGUAGE_NAMES

    in_language = [a for a in catalogue.articles if a.language == language]
    used = {a.category for a in in_language if a.category}
    return ctx.render(
        template,
        business=found,
        language=language,
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in catalogue.languages],
        words=_words(language),
        categories=sorted(
            ((slug, name) for slug, name in catalogue.categories.items() if slug in used),
            key=lambda item: item[1].lower(),
        ),
        contact_path=f"/help/{found.slug}/contact",
        **context,
    )


@pages.get("/help/{slug}", access=PUBLIC)
def help_home(ctx: PageContext, slug: str):
    from chalicelib.domain.knowledge import Event, check_query
    from chalicelib.services.knowledge import search

    query = check_query((ctx.request.query_params or {}).get("q") or "")
    found = _open(ctx, slug, searching=bool(query))
    catalogue, language, results = search.browse(
        found.tenant, query, choose_language=lambda listed: _language(ctx, listed), limit=RESULTS
    )
    if results is not None:
        _record(ctx, found, Event.SEARCH, found_nothing=not results)
    in_language = [a for a in catalogue.articles if a.language == language]
    return _page(
        ctx,
        "help_home.html",
        found,
        catalogue,
        language,
        title=f"{found.name}: {_words(language)['home']}",
        query=query,
        results=results,
        articles=in_language,
    )


@pages.get("/help/{slug}/categories/{category}", access=PUBLIC)
def help_category(ctx: PageContext, slug: str, category: str):
    from chalicelib.domain.errors import NotFound
    from chalicelib.services.knowledge import search

    found = _open(ctx, slug, searching=False)
    catalogue = search.catalogue(found.tenant)
    name = catalogue.categories.get(category)
    listed = [a for a in catalogue.articles if a.category == category]
    if name is None or not listed:
        raise NotFound("no such category")
    language = _language(ctx, catalogue)
    return _page(
        ctx,
        "help_category.html",
        found,
        catalogue,
        language,
        title=f"{name} · {found.name}",
        category=(category, name),
        articles=[a for a in listed if a.language == language] or listed,
    )


@pages.get("/help/{slug}/articles/{article_slug}", access=PUBLIC)
def help_article(ctx: PageContext, slug: str, article_slug: str):
    from chalicelib.domain.knowledge import Event
    from chalicelib.services.knowledge import articles, help_centre, search

    found = _open(ctx, slug, searching=False)
    record = help_centre.article(found, article_slug)
    catalogue = search.catalogue(found.tenant)
    _record(ctx, found, Event.VIEW)
    related = [
        a
        for a in catalogue.articles
        if a.article_id != record.article_id
        and a.language == record.language
        and a.category == record.category
    ][:8]
    return _page(
        ctx,
        "help_article.html",
        found,
        catalogue,
        record.language,
        title=f"{record.title} · {found.name}",
        article=record,
        html=articles.shown(record.html),
        category_name=catalogue.categories.get(record.category or ""),
        related=related,
    )
