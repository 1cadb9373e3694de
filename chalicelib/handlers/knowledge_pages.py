"""The business's knowledge base in the portal: the list of articles and categories, the editor
(with a preview of what the help centre will show), publish and unpublish, and deletion after a
confirmation page."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

# What a redirect's `?done=` says happened (a fixed list: the query string never puts words on the page).
DONE = {
    "created": "Draft saved.",
    "saved": "Article saved.",
    "published": "Article published: it is on your help centre now.",
    "unpublished": "Article unpublished: it is a draft again, off your help centre.",
    "deleted": "Article deleted.",
    "category-added": "Category added.",
    "category-deleted": "Category deleted.",
    "reindexed": "Search index rebuilt.",
}


def _done(ctx: PageContext) -> str | None:
    params = ctx.request.query_params or {}
    return DONE.get(params.get("done") or "")


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
        notice=None if errors else _done(ctx),
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
        notice=_done(ctx),
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
    done = "published" if action == "publish" else "created"
    return ctx.redirect(f"/app/knowledge/articles/{record.article_id}?done={done}")


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
    return ctx.redirect(f"/app/knowledge/articles/{article_id}?done=saved")


@pages.post("/app/knowledge/articles/{article_id}/publish", access=MEMBER)
def publish_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    articles.publish(ctx.principal, article_id, deps=ctx.deps)
    return ctx.redirect(f"/app/knowledge/articles/{article_id}?done=published")


@pages.post("/app/knowledge/articles/{article_id}/unpublish", access=MEMBER)
def unpublish_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    articles.unpublish(ctx.principal, article_id, deps=ctx.deps)
    return ctx.redirect(f"/app/knowledge/articles/{article_id}?done=unpublished")


@pages.get("/app/knowledge/articles/{article_id}/delete", access=MEMBER)
def confirm_delete(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    record = articles.get(ctx.principal, article_id)
    return ctx.render("knowledge_delete.html", title=f"Delete “{record.title}”?", article=record)


@pages.post("/app/knowledge/articles/{article_id}/delete", access=MEMBER)
def delete_article(ctx: PageContext, article_id: str):
    from chalicelib.services.knowledge import articles

    record = articles.get(ctx.principal, article_id)
    if ctx.form_values.get("confirm") != "yes":
        return ctx.render("knowledge_delete.html", title=f"Delete “{record.title}”?", article=record)
    articles.delete(ctx.principal, article_id, deps=ctx.deps)
    return ctx.redirect("/app/knowledge?done=deleted")


@pages.post("/app/knowledge/categories", access=MEMBER)
def add_category(ctx: PageContext):
    from chalicelib.services.knowledge import articles

    try:
        articles.create_category(ctx.principal, ctx.form_values.get("name", ""), deps=ctx.deps)
    except DomainError as error:
        status = 409 if error.code == "category_taken" else 400
        return _overview(ctx, status=status, errors={"name": error.message})
    return ctx.redirect("/app/knowledge?done=category-added#categories")


@pages.post("/app/knowledge/categories/{category}/delete", access=MEMBER)
def remove_category(ctx: PageContext, category: str):
    from chalicelib.services.knowledge import articles

    articles.delete_category(ctx.principal, category, deps=ctx.deps)
    return ctx.redirect("/app/knowledge?done=category-deleted#categories")


@pages.post("/app/knowledge/reindex", access=MEMBER)
def reindex(ctx: PageContext):
    from chalicelib.services.knowledge import articles

    articles.reindex(ctx.principal, deps=ctx.deps)
    return ctx.redirect("/app/knowledge?done=reindexed")
