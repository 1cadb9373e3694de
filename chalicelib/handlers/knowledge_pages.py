"""The business's knowledge base in the portal: the list of articles and categories, the editor
(with a preview of what the help centre will show), publish and unpublish, and deletion after a
confirmation page (ctx.confirm). Each successful post redirects with a flash saying what happened."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


@pages.get("/app/knowledge", access=MEMBER)
def knowledge_page(ctx: PageContext):
    return _overview(ctx)


def _overview(ctx: PageContext, *, status: int = 200, errors: dict[str, str] | None = None):
    from datetime import timedelta

    from chalicelib.domain.vocabulary import LANGUAGE_NAMES
    from chalicelib.services.knowledge import articles, visits

    params = ctx.request.query_params or {}
    cursor = params.get("cursor")
    page = articles.page(ctx.principal, limit=50, cursor=cursor, deps=ctx.deps)
    tenant = ctx.principal.require_tenant()
    today = ctx.deps.now().date()
    week = visits.deflection(tenant, today - timedelta(days=6), today, deps=ctx.deps)
    return ctx.render(
        "knowledge.html",
        status=status,
        errors=errors or {},
        title="Knowledge base",
        articles=page.items,
        next_cursor=page.next_cursor,
        first_page=not cursor,
        categories=articles.categories(ctx.principal),
        category_names={c.category: c.name for c in articles.categories(ctx.principal)},
        languages=LANGUAGE_NAMES,
        business_slug=articles.business_slug(ctx.principal),
        index_stale=articles.index_is_stale(ctx.principal),
        week=week,
        week_totals={
            "engaged": sum(d.engaged for d in week),
            "contacted": sum(d.contacted for d in week),
            "deflected": sum(d.deflected for d in week),
        },
    )


def _editor(ctx: PageContext, *, article=None, status=200, errors=None, values=None, preview=None):
    from chalicelib.domain.vocabulary import LANGUAGE_NAMES
    from chalicelib.services.knowledge import articles

    if values is None:
        values = {"language": "en"}
        if article is not None:
            values = {
                "title": article.title,
                "slug": article.slug,
                "category": article.category or "",
                "language": article.language,
                "body": article.body,
                "version": str(article.version),
            }
    return ctx.render(
        "knowledge_editor.html",
        status=status,
        title=f"Edit “{article.title}”" if article is not None else "Write an article",
        article=article,
        action=f"/app/knowledge/articles/{article.article_id}"
        if article is not None
        else "/app/knowledge/articles",
        values=values,
        errors=errors or {},
        categories=articles.categories(ctx.principal),
        languages=LANGUAGE_NAMES,
        preview=preview,
        business_slug=articles.business_slug(ctx.principal),
    )


@pages.get("/app/knowledge/new", access=MEMBER)
def new_article(ctx: PageContext):
    return _editor(ctx)


def _field_errors(error: DomainError) -> dict[str, str]:
    return {error.field or "form": error.message}


@pages.post("/app/knowledge/articles", access=MEMBER)
def create_article(ctx: PageContext):
    from chalicelib.services.knowledge import articles

    values = ctx.form_values
    action = values.get("action", "save")
    try:
        if action == "preview":
            return _editor(ctx, values=values, preview=articles.preview(values.get("body", "")))
        draft = articles.ArticleDraft(
            title=values.get("title", ""),
            body=values.get("body", ""),
            language=values.get("language", ""),
            slug=values.get("slug", "").strip() or None,
            category=values.get("category") or None,
        )
        record = articles.create(ctx.principal, draft, publish=action == "publish", deps=ctx.deps)
    except DomainError as error:
        status = 413 if error.code == "too_large" else 409 if error.code == "slug_taken" else 400
        return _editor(ctx, status=status, errors=_field_errors(error), values=values)
    said = "Article published: it is on your help centre now." if action == "publish" else "Draft saved."
    return ctx.redirect(f"/app/knowledge/articles/{record.article_id}", flash=said)


@pages.get("/app/knowledge/articles/{article_id}", access=MEMBER)
def edit_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    record = articles.get(ctx.principal, article_id)
    return _editor(ctx, article=record, preview=articles.shown(record.html))


@pages.post("/app/knowledge/articles/{article_id}", access=MEMBER)
def save_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    record = articles.get(ctx.principal, article_id)
    values = ctx.form_values
    try:
        if values.get("action") == "preview":
            return _editor(
                ctx, article=record, values=values, preview=articles.preview(values.get("body", ""))
            )
        version = values.get("version", "")
        changes = articles.ArticleChanges(
            title=values.get("title", ""),
            body=values.get("body", ""),
            language=values.get("language", ""),
            slug=values.get("slug", "").strip() or record.slug,
            category=values.get("category") or None,
            clear_category=not values.get("category"),
            version=int(version) if version.isdigit() else None,
        )
        articles.update(ctx.principal, article_id, changes, deps=ctx.deps)
    except DomainError as error:
        status = (
            413 if error.code == "too_large" else 409 if error.code in ("slug_taken", "conflict") else 400
        )
        return _editor(ctx, article=record, status=status, errors=_field_errors(error), values=values)
    return ctx.redirect(f"/app/knowledge/articles/{article_id}", flash="Article saved.")


@pages.post("/app/knowledge/articles/{article_id}/publish", access=MEMBER)
def publish_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    articles.publish(ctx.principal, article_id, deps=ctx.deps)
    return ctx.redirect(
        f"/app/knowledge/articles/{article_id}", flash="Article published: it is on your help centre now."
    )


@pages.post("/app/knowledge/articles/{article_id}/unpublish", access=MEMBER)
def unpublish_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    articles.unpublish(ctx.principal, article_id, deps=ctx.deps)
    return ctx.redirect(
        f"/app/knowledge/articles/{article_id}",
        flash="Article unpublished: it is a draft again, off your help centre.",
    )


@pages.post("/app/knowledge/articles/{article_id}/delete", access=MEMBER)
def delete_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    record = articles.get(ctx.principal, article_id)
    happens = [f"“{record.title}” is deleted for good."]
    if record.status == "published":
        happens.append("It leaves your help centre, search and your agents' suggestions at once.")
    happens.append(
        "Links to it will answer “not found”. To keep it without showing it, unpublish it instead."
    )
    page = ctx.confirm(
        title=f"Delete “{record.title}”?",
        happens=happens,
        button="Delete the article",
        back=f"/app/knowledge/articles/{article_id}",
    )
    if page is not None:
        return page
    articles.delete(ctx.principal, article_id, deps=ctx.deps)
    return ctx.redirect("/app/knowledge", flash=f"Article “{record.title}” deleted.")


@pages.post("/app/knowledge/categories", access=MEMBER)
def add_category(ctx: PageContext):
    from chalicelib.services.knowledge import articles

    try:
        articles.create_category(ctx.principal, ctx.form_values.get("name", ""), deps=ctx.deps)
    except DomainError as error:
        status = 409 if error.code == "category_taken" else 400
        return _overview(ctx, status=status, errors={"name": error.message})
    return ctx.redirect("/app/knowledge#categories", flash="Category added.")


@pages.post("/app/knowledge/categories/{category}/delete", access=MEMBER)
def remove_category(ctx: PageContext, category: str):
    from chalicelib.services.knowledge import articles

    articles.delete_category(ctx.principal, category, deps=ctx.deps)
    return ctx.redirect("/app/knowledge#categories", flash="Category deleted.")


@pages.post("/app/knowledge/reindex", access=MEMBER)
def reindex(ctx: PageContext):
    from chalicelib.services.knowledge import articles

    articles.reindex(ctx.principal, deps=ctx.deps)
    return ctx.redirect("/app/knowledge", flash="Search index rebuilt.")
