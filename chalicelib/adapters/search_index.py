"""The knowledge base's full-text index: BM25 over a business's published articles, with tantivy
(docs/support.md, "Knowledge base and help centre", says why tantivy and not bm25s).

A *bundle* is everything a search needs, as one byte string that the store keeps in chunks
(store/knowledge.py): one tantivy index per language (a stemmer per language where deskhire has
one, `domain.knowledge.STEMMERS`), and the catalogue of the published articles (id, slug, title,
category, language, excerpt) that results and the help centre's lists are made from, so that a
search reads no article. `build` makes a bundle; `open_bundle` unpacks one into a directory (tantivy
reads its segment files from disk; on Lambda that is /tmp) and answers searches from it.

tantivy is imported on first use: a cold start never loads it."""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chalicelib.domain.knowledge import MAX_QUERY_TERMS, STEMMERS, STOPWORDS, UNSPACED

FORMAT = 1
TITLE_BOOST = 2.0
_TOKENIZER = "kb"
_HEAP_BYTES = 50_000_000


@dataclass(frozen=True)
class IndexedArticle:
    article_id: str
    slug: str
    title: str
    category: str | None
    language: str
    text: str  # the rendered article's words
    excerpt: str
    updated_at: str  # RFC 3339


@dataclass(frozen=True)
class Hit:
    article_id: str
    score: float


def _analyzer(language: str):
    import tantivy

    if language in UNSPACED:
        # No spaces between words: overlapping pairs of characters stand in for words.
        return (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(2, 2))
            .filter(tantivy.Filter.lowercase())
            .build()
        )
    # \w keeps combining marks inside a word (Devanagari vowel signs), which `simple` splits on.
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"\w+"))
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
    )
    if language in STOPWORDS:
        builder = builder.filter(tantivy.Filter.stopword(STEMMERS[language]))
    if language in STEMMERS:
        builder = builder.filter(tantivy.Filter.stemmer(STEMMERS[language]))
    # After stemming (the stemmers know their accents): "cafe" finds "café".
    return builder.filter(tantivy.Filter.ascii_fold()).build()


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    # Term frequencies only: BM25 needs no positions (there are no phrase queries).
    builder.add_text_field("title", tokenizer_name=_TOKENIZER, index_option="freq")
    builder.add_text_field("body", tokenizer_name=_TOKENIZER, index_option="freq")
    return builder.build()


def _build_language(directory: Path, language: str, articles: Sequence[IndexedArticle]) -> None:
    import tantivy

    directory.mkdir(parents=True)
    index = tantivy.Index(_schema(), path=str(directory))
    index.register_tokenizer(_TOKENIZER, _analyzer(language))
    writer = index.writer(heap_size=_HEAP_BYTES, num_threads=1)
    for article in articles:
        writer.add_document(tantivy.Document(id=article.article_id, title=article.title, body=article.text))
    writer.commit()
    writer.wait_merging_threads()


def build(
    articles: Sequence[IndexedArticle],
    *,
    categories: dict[str, str] | None = None,
    business_slug: str | None = None,
) -> bytes:
    """The bundle for these (published) articles; `categories` names the categories (slug to
    name) that the help centre lists them under; `business_slug` makes their public addresses."""
    by_language: dict[str, list[IndexedArticle]] = {}
    for article in articles:
        by_language.setdefault(article.language, []).append(article)
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="kb-build-") as work:
        for language, group in sorted(by_language.items()):
            directory = Path(work) / language
            _build_language(directory, language, group)
            for path in sorted(directory.iterdir()):
                # tantivy's lock files and its list of managed files are not needed to read.
                if path.is_file() and not path.name.startswith("."):
                    files[f"{language}/{path.name}"] = path.read_bytes()
    catalogue = [{k: v for k, v in asdict(article).items() if k != "text"} for article in articles]
    header = json.dumps(
        {
            "format": FORMAT,
            "languages": sorted(by_language),
            "catalogue": catalogue,
            "categories": {slug: name for slug, name in (categories or {}).items()},
            "business_slug": business_slug,
        },
        separators=(",", ":"),
    ).encode()
    parts = [struct.pack(">I", len(header)), header]
    for name, data in files.items():
        encoded = name.encode()
        parts += [struct.pack(">HI", len(encoded), len(data)), encoded, data]
    return zlib.compress(b"".join(parts), 6)


class OpenIndex:
    """A bundle unpacked into `directory`, ready to search. Not safe for two threads at once:
    callers hold a lock (services/knowledge/index.py does)."""

    def __init__(
        self,
        directory: Path,
        languages: list[str],
        catalogue: list[dict[str, Any]],
        categories: dict[str, str],
        business_slug: str | None = None,
    ):
        import tantivy

        self.directory = directory
        self.languages = languages
        self.catalogue = {entry["article_id"]: entry for entry in catalogue}
        self.categories = categories
        self.business_slug = business_slug
        self.closed = False
        self._indexes: dict[str, Any] = {}
        self._analyzers: dict[str, Any] = {}
        self._schema = _schema()
        for language in languages:
            index = tantivy.Index.open(str(directory / language))
            analyzer = _analyzer(language)
            index.register_tokenizer(_TOKENIZER, analyzer)
            self._indexes[language] = index
            self._analyzers[language] = analyzer

    def search(self, text: str, *, language: str | None, limit: int) -> list[Hit]:
        """The best `limit` published articles for `text`, in `language` (every language the
        business writes in when None, or when it has no article in that one)."""
        languages = [language] if language in self._indexes else self.languages
        hits: list[Hit] = []
        for code in languages:
            hits += self._search_one(code, text, limit)
        hits.sort(key=lambda hit: (-hit.score, hit.article_id))
        return hits[:limit]

    def _search_one(self, language: str, text: str, limit: int) -> list[Hit]:
        import tantivy

        terms = list(dict.fromkeys(self._analyzers[language].analyze(text)))[:MAX_QUERY_TERMS]
        if not terms:
            return []
        clauses = []
        for term in terms:
            title = tantivy.Query.term_query(self._schema, "title", term, index_option="freq")
            body = tantivy.Query.term_query(self._schema, "body", term, index_option="freq")
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(title, TITLE_BOOST)))
            clauses.append((tantivy.Occur.Should, body))
        index = self._indexes[language]
        searcher = index.searcher()
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit)
        return [Hit(searcher.doc(address)["id"][0], float(score)) for score, address in result.hits]

    def close(self) -> None:
        """Remove the unpacked files. Callers stop using a closed index (`closed`)."""
        self.closed = True
        shutil.rmtree(self.directory, ignore_errors=True)


def open_bundle(data: bytes, directory: Path) -> OpenIndex:
    raw = zlib.decompress(data)
    (header_length,) = struct.unpack_from(">I", raw, 0)
    offset = 4 + header_length
    header = json.loads(raw[4:offset])
    if header.get("format") != FORMAT:
        raise ValueError(f"knowledge index format {header.get('format')!r} is not {FORMAT}")
    directory.mkdir(parents=True, exist_ok=True)
    for language in header["languages"]:
        (directory / language).mkdir(exist_ok=True)
    while offset < len(raw):
        name_length, data_length = struct.unpack_from(">HI", raw, offset)
        offset += 6
        name = raw[offset : offset + name_length].decode()
        offset += name_length
        language, _, file_name = name.partition("/")
        if (
            language not in header["languages"]
            or not file_name
            or os.sep in file_name
            or file_name.startswith(".")
        ):
            raise ValueError(f"unexpected file {name!r} in a knowledge index")
        (directory / language / file_name).write_bytes(raw[offset : offset + data_length])
        offset += data_length
    return OpenIndex(
        directory, header["languages"], header["catalogue"], header["categories"], header["business_slug"]
    )


def scratch_root() -> Path:
    """Where unpacked indexes live: the temporary directory (Lambda's /tmp)."""
    return Path(tempfile.gettempdir()) / "deskhire-kb"
