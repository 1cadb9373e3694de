"""Knowledge-base search benchmark: a search of 1,000 published articles, for a business with 100
past inquiries and one with 100,000 (issue 15's goal: the same number of DynamoDB requests at both
sizes).

Each business gets 1,000 published articles of 200 to 700 words (a support vocabulary over a long
tail of rarer words), written item for item as `services.knowledge.articles.create` writes them
(the markdown rendered and sanitised by the same adapter), then one real `index.rebuild` (timed:
what a publish costs at this size). The past inquiries are raw items under the design's keys (the
inquiry head `T#<t>#INQ#<id>` / `INQUIRY` and its history item `T#<t>#INQS#<yyyy-mm>`), since the
inquiries' store is another slice's: search never reads them, which is the point to show.

Measured per business, through `services.knowledge.search.find` (what the API, the help centre and
`knowledge.suggest` call): 10 *cold* searches (the container's index cache emptied first: a new
Lambda container, or the first search after a publish) and 50 *warm* ones, each with its DynamoDB
requests counted by operation and its wall time in-process against DynamoDB Local. Then one
article published through the service at 1,000 articles (requests and time, index rebuild
included)."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

ARTICLES = int(os.environ.get("BENCH_KB_ARTICLES", "1000"))
INQUIRIES = (100, int(os.environ.get("BENCH_KB_INQUIRIES", "100000")))
COLD, WARM = 10, 50
NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)
SUPPORT_WORDS = [
    "refund",
    "order",
    "shipping",
    "delivery",
    "password",
    "account",
    "login",
    "invoice",
    "payment",
    "card",
    "subscription",
    "cancel",
    "upgrade",
    "plan",
    "billing",
    "address",
    "email",
    "notification",
    "export",
    "import",
    "report",
    "team",
    "member",
    "invite",
    "role",
    "permission",
    "integration",
    "webhook",
    "key",
    "token",
    "error",
    "timeout",
    "mobile",
    "app",
    "browser",
    "cache",
    "cookie",
    "privacy",
    "security",
    "data",
    "delete",
    "restore",
    "backup",
    "sync",
    "calendar",
    "schedule",
    "reminder",
    "discount",
    "coupon",
    "tax",
    "receipt",
    "currency",
    "country",
    "language",
    "translation",
    "ticket",
    "chat",
    "phone",
    "hours",
    "holiday",
    "return",
    "exchange",
    "warranty",
]
QUERIES = [
    "how do I get a refund",
    "refunds for cancelled orders",
    "change my password",
    "shipping takes too long",
    "invoice missing tax",
    "cancel subscription",
    "export report to email",
    "webhook timeout error",
    "invite a team member",
    "discount coupon not working",
]


class OperationCounter:
    """Counts DynamoDB API calls made through PynamoDB, by operation name (as bench/diary.py does)."""

    def __init__(self):
        from pynamodb.connection.base import Connection

        self.calls: Counter[str] = Counter()
        self._cls = Connection
        self._original = Connection._make_api_call

    def __enter__(self):
        original = self._original

        def counting(connection, operation_name, operation_kwargs):
            self.calls[operation_name] += 1
            return original(connection, operation_name, operation_kwargs)

        self._cls._make_api_call = counting
        return self

    def __exit__(self, *exc):
        self._cls._make_api_call = self._original


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _vocabulary(rng: random.Random) -> list[str]:
    rare = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
        for _ in range(6000)
    ]
    return SUPPORT_WORDS + rare


def _article_text(rng: random.Random, vocabulary: list[str]) -> tuple[str, str]:
    title = " ".join(rng.choice(SUPPORT_WORDS) for _ in range(rng.randint(3, 6))).capitalize()
    paragraphs = []
    for _ in range(rng.randint(3, 7)):
        words = []
        for _ in range(rng.randint(60, 100)):
            index = min(int(rng.paretovariate(0.9)) - 1, len(vocabulary) - 1)
            words.append(vocabulary[index] if rng.random() < 0.6 else rng.choice(vocabulary))
        paragraphs.append(" ".join(words).capitalize() + ".")
    return title, "## " + title + "\n\n" + "\n\n".join(paragraphs)


def _write_articles(tenant, author_id: str, rng: random.Random) -> None:
    """1,000 published articles, item for item as the articles service writes them."""
    from chalicelib.adapters import markdown
    from chalicelib.domain.knowledge import excerpt
    from chalicelib.ids import new_id
    from chalicelib.store import knowledge as store
    from chalicelib.store.knowledge import ArticleRecord, ArticleSlug, KnowledgeHead

    vocabulary = _vocabulary(rng)
    with ArticleRecord.batch_write() as batch:
        for number in range(ARTICLES):
            title, body = _article_text(rng, vocabulary)
            html = markdown.to_html(body)
            article_id, slug = new_id(), f"article-{number:04d}"
            batch.save(
                ArticleRecord(
                    store.kb_pk(tenant),
                    store.article_sk(article_id),
                    article_id=article_id,
                    title=title,
                    slug=slug,
                    body=body,
                    html=html,
                    excerpt=excerpt(markdown.to_text(html)),
                    category=None,
                    language="en",
                    status="published",
                    created_at=NOW,
                    updated_at=NOW,
                    published_at=NOW,
                    author_id=author_id,
                    editor_id=author_id,
                    version=1,
                )
            )
            batch.save(ArticleSlug(store.kb_pk(tenant), store.slug_sk(slug), article_id=article_id))
    head = KnowledgeHead(store.kb_pk(tenant), "HEAD", content_version=1, article_count=ARTICLES)
    head.save()


def _write_inquiries(client, table: str, tenant_id: str, count: int, rng: random.Random) -> None:
    """Past inquiries as raw items under the design's keys (head and history), 25 to a batch."""
    from ulid import ULID

    def items():
        for number in range(count):
            created = NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 700))
            inquiry = str(ULID.from_timestamp(created.timestamp()))
            at = created.strftime("%Y-%m-%dT%H:%M:%SZ")
            common = {
                "status": {"S": "resolved"},
                "number": {"N": str(1000 + number)},
                "subject": {"S": f"Question {number} about {rng.choice(SUPPORT_WORDS)}"},
                "created_at": {"S": at},
            }
            yield {
                "pk": {"S": f"T#{tenant_id}#INQ#{inquiry}"},
                "sk": {"S": "INQUIRY"},
                "kind": {"S": "inquiry"},
                **common,
            }
            yield {
                "pk": {"S": f"T#{tenant_id}#INQS#{created:%Y-%m}"},
                "sk": {"S": f"{at}#{inquiry}"},
                "kind": {"S": "inquiry_summary"},
                **common,
            }

    def send(batch):
        request = {table: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None

    batches, batch = [], []
    for item in items():
        batch.append(item)
        if len(batch) == 25:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(send, batches))


def _searches(tenant, *, cold: bool, runs: int) -> dict:
    from chalicelib.services.knowledge import index, search

    timings, calls, found = [], Counter(), 0
    for run in range(runs):
        query = QUERIES[run % len(QUERIES)]
        if cold:
            with index.cold_cache():
                pass
        with OperationCounter() as counter:
            started = time.perf_counter()
            results = search.find(tenant, query, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
        found += bool(results)
        calls.update(counter.calls)
    return {
        "requests_by_operation": {op: n / runs for op, n in sorted(calls.items())},
        "requests": sum(calls.values()) / runs,
        "p50_ms": round(_percentile(timings, 50), 2),
        "p95_ms": round(_percentile(timings, 95), 2),
        "answered": f"{found}/{runs}",
    }


def run(client, table: str) -> dict:
    """`client`: a boto3 DynamoDB client of the table's endpoint (for the raw inquiry items)."""
    from chalicelib import composition
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services import accounts
    from chalicelib.services.knowledge import articles, index
    from chalicelib.settings import Settings
    from chalicelib.store import knowledge as store
    from chalicelib.store import principals

    class Silent:
        def send(self, mail, *, now):
            pass

    deps = composition.Deps(settings=Settings.from_environ(), mailer=Silent(), clock=lambda: NOW)
    composition.override_deps(deps)
    rng = random.Random(15)
    rows = []
    for size in INQUIRIES:
        tenant_record, owner = accounts.sign_up_business(
            accounts.BusinessSignup(
                company_name=f"Bench KB {size}",
                slug=f"bench-kb-{size}",
                owner_name="B",
                email=f"bench-kb-{size}@example.com",
                password="violet-harbor-92-lantern",
                time_zone="UTC",
                currency="usd",
            ),
            deps=deps,
        )
        tenant = TenantId(tenant_record.pk.split("#")[1])
        actor = principals.principal_of(owner)
        started = time.perf_counter()
        _write_articles(tenant, actor.id, rng)
        _write_inquiries(client, table, tenant.value, size, rng)
        seed_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with OperationCounter() as rebuild_calls:
            index.rebuild(tenant, deps=deps)
        rebuild_seconds = time.perf_counter() - started
        head = store.head(tenant, consistent=True)
        assert head is not None and head.published_count == ARTICLES
        _searches(tenant, cold=True, runs=1)  # the process's first use of tantivy is not a container's
        cold = _searches(tenant, cold=True, runs=COLD)
        warm = _searches(tenant, cold=False, runs=WARM)
        with OperationCounter() as publish_calls:
            started = time.perf_counter()
            articles.create(
                actor,
                articles.ArticleDraft(title="One more answer", body="Refunds, once more.", language="en"),
                publish=True,
                deps=deps,
            )
            publish_ms = (time.perf_counter() - started) * 1000
        rows.append(
            {
                "inquiries": size,
                "articles": ARTICLES,
                "index_bytes": head.index_bytes,
                "index_chunks": head.index_chunks,
                "rebuild_seconds": round(rebuild_seconds, 2),
                "rebuild_requests": dict(sorted(rebuild_calls.calls.items())),
                "cold": cold,
                "warm": warm,
                "publish_ms": round(publish_ms),
                "publish_requests": dict(sorted(publish_calls.calls.items())),
                "seed_seconds": round(seed_seconds, 1),
            }
        )
    composition.override_deps(None)
    same = all(
        rows[0][kind]["requests_by_operation"] == row[kind]["requests_by_operation"]
        for row in rows
        for kind in ("cold", "warm")
    )
    return {"rows": rows, "constant": same, "queries": len(QUERIES)}
