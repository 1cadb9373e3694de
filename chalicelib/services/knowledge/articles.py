"""The business writes its knowledge base: articles (create, revise, publish, unpublish, delete)
and the categories they are filed under. Any member of the business may (owners, admins and
managers alike): support content is everyday work, not account administration.

Each action is one transaction: the article, its slug claim (uniqueness within the business), the
head's counts and content version, the categories' counts and the audit entry. When the action
changed what the help centre shows, the search index is rebuilt right after (index.rebuild)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain import knowledge as rules
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import audit
from chalicelib.store import knowledge as store
from chalicelib.store.knowledge import ArticleRecord, ArticleSlug, CategoryRecord, KnowledgeHead
from chalicelib.store.transactions import Transaction, transaction

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

    from chalicelib.composition import Deps
    from chalicelib.store.cursors import Page


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    language: str
    slug: str | None = None  # made from the title when left out
    category: str | None = None


@dataclass(frozen=True)
class ArticleChanges:
    """A revision: only what is given changes. `version`: the version the author edited, so that
    a revision made on a stale copy is refused (409) instead of overwriting someone's work."""

    title: str | None = None
    body: str | None = None
    language: str | None = None
    slug: str | None = None
    category: str | None = None
    clear_category: bool = False
    version: int | None = None


def _tenant(actor: Principal) -> TenantId:
    tenant = actor.require_tenant()
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("only the business's team edits its knowledge base")
    return tenant


def preview(body: str) -> str:
    """The body as the help centre would show it (rendered and sanitised), without saving."""
    from chalicelib.adapters import markdown

    return markdown.to_html(rules.check_body(body))


def shown(html: str) -> str:
    """An article's stored HTML as a page may show it: sanitised again on the way out, so that
    an item written around the service (a restore, a hand edit) cannot carry a script either; each
    table in a box of its own that scrolls sideways on a phone (the sanitiser leaves tables bare)."""
    from chalicelib.adapters import markdown

    clean = markdown.sanitise(html)
    region = '<div class="table-scroll" tabindex="0" role="region" aria-label="Table">'
    return clean.replace("<table>", region + "<table>").replace("</table>", "</table></div>")


def get(actor: Principal, article_id: str) -> ArticleRecord:
    found = store.article(_tenant(actor), article_id, consistent=True)
    if found is None:
        raise NotFound("no such article")
    return found


def business_slug(actor: Principal) -> str | None:
    """The business's slug: its help centre is at /help/<slug>."""
    from chalicelib.store import keys
    from chalicelib.store.identity import TenantRecord

    record = TenantRecord.find(keys.tenant_pk(_tenant(actor)), "TENANT")
    return record.slug if record is not None else None


def page(actor: Principal, *, limit: int, cursor: str | None, deps: Deps) -> Page:
    from chalicelib.store.pagination import query_page

    pk = store.kb_pk(_tenant(actor))
    return query_page(
        ArticleRecord,
        pk,
        scope=pk,
        secret=deps.secret,
        limit=limit,
        cursor=cursor,
        range_key_condition=ArticleRecord.sk.startswith("ART#"),
    )


def _rendered(body: str) -> tuple[str, str]:
    from chalicelib.adapters import markdown

    html = markdown.to_html(body)
    return html, rules.excerpt(markdown.to_text(html))


def _slug_taken(slug: str) -> Conflict:
    return Conflict(f"another article already uses the address {slug!r}", field="slug", code="slug_taken")


def _check_category(tenant: TenantId, category: str | None) -> str | None:
    if category is None or category == "":
        return None
    if store.category(tenant, category) is None:
        raise InvalidInput("pick one of the categories, or none", field="category")
    return category


def _count_in_category(tx: Transaction, tenant: TenantId, category: str | None, delta: int) -> None:
    if category is None:
        return
    tx.update(
        CategoryRecord(store.kb_pk(tenant), store.category_sk(category)),
        actions=[CategoryRecord.article_count.add(delta)],
        condition=CategoryRecord.pk.exists(),
        on_conflict=InvalidInput("that category was just deleted; pick another", field="category"),
    )


def _head(
    tx: Transaction, tenant: TenantId, *, articles: int = 0, content_changed: bool, condition=None
) -> None:
    """The head's counts and content version (UpdateItem makes the head on the first article)."""
    actions: list[Action] = [KnowledgeHead.kind.set(KnowledgeHead)]
    if articles:
        actions.append(KnowledgeHead.article_count.add(articles))
    if content_changed:
        actions.append(KnowledgeHead.content_version.add(1))
    tx.update(
        store.head_key(tenant),
        actions=actions,
        condition=condition,
        on_conflict=Conflict(
            f"a knowledge base holds at most {rules.MAX_ARTICLES:,} articles", code="too_many_articles"
        ),
    )


def _after(tenant: TenantId, record: ArticleRecord, *, content_changed: bool, deps: Deps) -> ArticleRecord:
    if content_changed:
        from chalicelib.services.knowledge import index

        index.rebuild(tenant, deps=deps)
    return record


def create(actor: Principal, draft: ArticleDraft, *, publish: bool = False, deps: Deps) -> ArticleRecord:
    from chalicelib.ids import new_id

    tenant = _tenant(actor)
    title = rules.check_title(draft.title)
    body = rules.check_body(draft.body)
    language = rules.check_language(draft.language)
    slug = rules.check_slug(draft.slug) if draft.slug else rules.slug_from(title)
    if not slug:
        raise InvalidInput("give the article an address (slug): its title has no Latin letters", field="slug")
    category = _check_category(tenant, draft.category)
    html, summary = _rendered(body)
    now = deps.now()
    article_id = new_id()
    status = rules.Status.PUBLISHED if publish else rules.Status.DRAFT
    record = ArticleRecord(
        store.kb_pk(tenant),
        store.article_sk(article_id),
        article_id=article_id,
        title=title,
        slug=slug,
        body=body,
        html=html,
        excerpt=summary,
        category=category,
        language=language,
        status=str(status),
        created_at=now,
        updated_at=now,
        published_at=now if publish else None,
        author_id=actor.id,
        editor_id=actor.id,
    )
    with transaction() as tx:
        tx.save(record, condition=ArticleRecord.pk.does_not_exist())
        tx.save(
            ArticleSlug(store.kb_pk(tenant), store.slug_sk(slug), article_id=article_id),
            condition=ArticleSlug.pk.does_not_exist(),
            on_conflict=_slug_taken(slug),
        )
        _head(
            tx,
            tenant,
            articles=1,
            content_changed=publish,
            condition=KnowledgeHead.article_count.does_not_exist()
            | (KnowledgeHead.article_count < rules.MAX_ARTICLES),
        )
        _count_in_category(tx, tenant, category, 1)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "kb_article.published" if publish else "kb_article.created",
                f"kb_article:{article_id}",
                {"after": {"title": title, "slug": slug, "language": language, "status": str(status)}},
                at=now,
            )
        )
    return _after(tenant, record, content_changed=publish, deps=deps)


def update(actor: Principal, article_id: str, changes: ArticleChanges, *, deps: Deps) -> ArticleRecord:
    tenant = _tenant(actor)
    record = get(actor, article_id)
    if changes.version is not None and changes.version != record.version:
        raise Conflict("the article changed since you opened it; reload it and make your change again")
    before = {
        "title": record.title,
        "slug": record.slug,
        "category": record.category,
        "language": record.language,
    }
    old_slug, old_category = record.slug, record.category
    if changes.title is not None:
        record.title = rules.check_title(changes.title)
    if changes.body is not None:
        record.body = rules.check_body(changes.body)
        record.html, record.excerpt = _rendered(record.body)
    if changes.language is not None:
        record.language = rules.check_language(changes.language)
    if changes.slug is not None:
        record.slug = rules.check_slug(changes.slug)
    if changes.clear_category:
        record.category = None
    elif changes.category is not None:
        record.category = _check_category(tenant, changes.category)
    now = deps.now()
    record.updated_at = now
    record.editor_id = actor.id
    published = record.status == rules.Status.PUBLISHED
    with transaction() as tx:
        tx.save(record, on_conflict=Conflict("the article changed meanwhile; reload it and try again"))
        if record.slug != old_slug:
            tx.delete(ArticleSlug(store.kb_pk(tenant), store.slug_sk(old_slug)))
            tx.save(
                ArticleSlug(store.kb_pk(tenant), store.slug_sk(record.slug), article_id=article_id),
                condition=ArticleSlug.pk.does_not_exist(),
                on_conflict=_slug_taken(record.slug),
            )
        if record.category != old_category:
            _count_in_category(tx, tenant, old_category, -1)
            _count_in_category(tx, tenant, record.category, 1)
        if published:
            _head(tx, tenant, content_changed=True)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "kb_article.revised",
                f"kb_article:{article_id}",
                {
                    "before": before,
                    "after": {
                        "title": record.title,
                        "slug": record.slug,
                        "category": record.category,
                        "language": record.language,
                    },
                },
                at=now,
            )
        )
    return _after(tenant, record, content_changed=published, deps=deps)


def _set_status(actor: Principal, article_id: str, status: rules.Status, *, deps: Deps) -> ArticleRecord:
    tenant = _tenant(actor)
    record = get(actor, article_id)
    if record.status == status:
        return record  # publishing a published article (a double click) changes nothing
    now = deps.now()
    record.status = str(status)
    record.updated_at = now
    record.editor_id = actor.id
    if status is rules.Status.PUBLISHED:
        record.published_at = now
    with transaction() as tx:
        tx.save(record, on_conflict=Conflict("the article changed meanwhile; reload it and try again"))
        _head(tx, tenant, content_changed=True)
        tx.save(
            audit.entry(
                tenant,
                actor,
                f"kb_article.{'published' if status is rules.Status.PUBLISHED else 'unpublished'}",
                f"kb_article:{article_id}",
                {"after": {"title": record.title, "status": str(status)}},
                at=now,
            )
        )
    return _after(tenant, record, content_changed=True, deps=deps)


def publish(actor: Principal, article_id: str, *, deps: Deps) -> ArticleRecord:
    """The article goes on the help centre and into search and suggestions."""
    return _set_status(actor, article_id, rules.Status.PUBLISHED, deps=deps)


def unpublish(actor: Principal, article_id: str, *, deps: Deps) -> ArticleRecord:
    """Back to a draft: off the help centre, search and suggestions at once."""
    return _set_status(actor, article_id, rules.Status.DRAFT, deps=deps)


def delete(actor: Principal, article_id: str, *, deps: Deps) -> None:
    tenant = _tenant(actor)
    record = get(actor, article_id)
    published = record.status == rules.Status.PUBLISHED
    now = deps.now()
    with transaction() as tx:
        tx.delete(record, on_conflict=Conflict("the article changed meanwhile; reload it and try again"))
        tx.delete(ArticleSlug(store.kb_pk(tenant), store.slug_sk(record.slug)))
        _head(tx, tenant, articles=-1, content_changed=published)
        _count_in_category(tx, tenant, record.category, -1)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "kb_article.deleted",
                f"kb_article:{article_id}",
                {"before": {"title": record.title, "slug": record.slug, "status": record.status}},
                at=now,
            )
        )
    _after(tenant, record, content_changed=published, deps=deps)


def index_is_stale(actor: Principal) -> bool:
    """Is the stored search index behind what is published (a rebuild that did not finish)?"""
    head = store.head(_tenant(actor), consistent=True)
    return head is not None and head.index_version < head.content_version


def reindex(actor: Principal, *, deps: Deps) -> bool:
    """Rebuild the search index when it is behind (the knowledge page offers it then)."""
    from chalicelib.services.knowledge import index

    return index.rebuild(_tenant(actor), deps=deps)


# -- categories -----------------------------------------------------------------------------------


def categories(actor: Principal) -> list[CategoryRecord]:
    return sorted(store.categories(_tenant(actor)), key=lambda c: c.name.lower())


def create_category(actor: Principal, name: str, *, deps: Deps) -> CategoryRecord:
    tenant = _tenant(actor)
    name = rules.check_category_name(name)
    slug = rules.slug_from(name)
    now = deps.now()
    record = CategoryRecord(
        store.kb_pk(tenant),
        store.category_sk(slug),
        category=slug,
        name=name,
        article_count=0,
        created_at=now,
    )
    with transaction() as tx:
        tx.save(
            record,
            condition=CategoryRecord.pk.does_not_exist(),
            on_conflict=Conflict(
                f"there is already a category {name!r}", field="name", code="category_taken"
            ),
        )
        tx.update(
            store.head_key(tenant),
            actions=[KnowledgeHead.kind.set(KnowledgeHead), KnowledgeHead.category_count.add(1)],
            condition=KnowledgeHead.category_count.does_not_exist()
            | (KnowledgeHead.category_count < rules.MAX_CATEGORIES),
            on_conflict=InvalidInput(
                f"a knowledge base has at most {rules.MAX_CATEGORIES} categories", field="name"
            ),
        )
        tx.save(
            audit.entry(
                tenant, actor, "kb_category.created", f"kb_category:{slug}", {"after": {"name": name}}, at=now
            )
        )
    return record


def delete_category(actor: Principal, category: str, *, deps: Deps) -> None:
    """Only an empty category goes: move or delete its articles first (a 409 says how many)."""
    tenant = _tenant(actor)
    try:
        rules.check_slug(category, field="category")
    except InvalidInput:
        raise NotFound("no such category") from None
    record = store.category(tenant, category, consistent=True)
    if record is None:
        raise NotFound("no such category")
    if record.article_count:
        raise Conflict(
            f"{record.article_count} article(s) are in {record.name!r}; move them first",
            code="category_in_use",
        )
    now = deps.now()
    with transaction() as tx:
        tx.delete(
            record,
            condition=(CategoryRecord.article_count == 0) | CategoryRecord.article_count.does_not_exist(),
            on_conflict=Conflict(f"an article was just filed under {record.name!r}", code="category_in_use"),
        )
        tx.update(
            store.head_key(tenant),
            actions=[KnowledgeHead.category_count.add(-1)],
        )
        tx.save(
            audit.entry(
                tenant,
                actor,
                "kb_category.deleted",
                f"kb_category:{category}",
                {"before": {"name": record.name}},
                at=now,
            )
        )
