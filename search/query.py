"""Searching records: one query for Vietnamese text typed with or without diacritics, for document
numbers in any spelling, and for OCR-damaged words; filters by type, old and new unit, and date.

Ranking, strongest first:
1. the document number (`123/QĐ-UBND`, `123/qđ-ubnd`, `123/QD-UBND` all normalise to `123/QD-UBND`);
2. a phrase on one page, in the original text (diacritics as typed), then in the folded text;
3. most of the words on one page, original then folded; then with one or two typos per word (fuzzy,
   folded: OCR errors in the text or in the query);
4. the words in the subject, issuing body, type or signer (metadata found by the pipeline);
5. the words spread over several pages (whole-record text).
The page part is a nested query, so its inner hit says which page matched and gives the snippets.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from search.errors import es_errors
from search.folding import fold, norm_code, norm_name

__all__ = [
    "SearchFilters",
    "SearchHit",
    "SearchPage",
    "build_search",
    "doc_numbers_in",
    "get_record",
    "page_highlights",
    "parse_date_bound",
    "search_page",
    "search_records",
    "split_highlight",
    "trim_snippet",
    "unfold_snippet",
]

PRE, POST = "<em>", "</em>"
_DOC_NO = re.compile(r"(?<![\w/])\d{1,6}(?:/\d{4})?/[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
_MSM = "2<75%"
TOTAL_HITS_CAP = 1000  # up to two words: all of them; more: three quarters


def doc_numbers_in(query: str) -> list[str]:
    """Document numbers in a query, normalised like `doc_number_norm` (`123/qđ - ubnd` → `123/QD-UBND`)."""
    compact = re.sub(r"\s*([/-])\s*", r"\1", fold(query).upper())
    return [norm_code(m) for m in _DOC_NO.findall(compact)]


def parse_date_bound(value: str | date | None, *, end: bool) -> str | None:
    """`2024`, `2024-04`, `2024-04-03` or `03/04/2024` → the first (or, with end=True, last) day."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = value.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)  # Vietnamese order: day/month/year
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        raise ValueError(f"not a date: {value!r} (use 2024, 2024-04, 2024-04-03 or 03/04/2024)")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if day:
        return date(year, int(month), int(day)).isoformat()
    if month:
        first = date(year, int(month), 1)
        if not end:
            return first.isoformat()
        return (date(year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)).isoformat()
    return date(year, 12, 31).isoformat() if end else date(year, 1, 1).isoformat()


@dataclass(frozen=True)
class SearchFilters:
    """What an archivist narrows a search (or an export) by: type (code or name), old or new unit,
    issue dates, and the start of the object key (`cau-giay/2024/`, the uploading office's folder)."""

    doc_type: str | None = None
    unit_old: str | None = None
    unit_new: str | None = None
    date_from: str | date | None = None  # 2024, 2024-04, 2024-04-03 or 03/04/2024
    date_to: str | date | None = None
    prefix: str | None = None

    def clauses(self) -> list[dict[str, Any]]:
        """The Elasticsearch filter clauses (ValueError for a date that is not one)."""
        return _filters(self)

    def describe(self) -> dict[str, str]:
        """The filters that are set, for a report or an export's state file."""
        return {k: str(v) for k, v in vars(self).items() if v not in (None, "")}


def _filters(f: SearchFilters) -> list[dict[str, Any]]:
    doc_type, unit_old, unit_new = f.doc_type, f.unit_old, f.unit_new
    out: list[dict[str, Any]] = []
    if f.prefix:
        out.append({"prefix": {"key": f.prefix}})
    if doc_type:
        # a code (QĐ, qd, TTr) or a type name (Quyết định, quyet dinh)
        out.append(
            {
                "bool": {
                    "should": [
                        {"term": {"doc_type_code_norm": norm_name(doc_type)}},
                        {"match_phrase": {"doc_type_folded": fold(doc_type)}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if unit_old:
        out.append({"term": {"admin_unit_old.names_norm": norm_name(unit_old)}})
    if unit_new:
        out.append({"term": {"admin_unit_new.names_norm": norm_name(unit_new)}})
    lo, hi = parse_date_bound(f.date_from, end=False), parse_date_bound(f.date_to, end=True)
    if lo or hi:
        out.append({"range": {"issue_date": {k: v for k, v in (("gte", lo), ("lte", hi)) if v}}})
    return out


_HIGHLIGHT = {
    "type": "unified",
    "pre_tags": [PRE],
    "post_tags": [POST],
    "fragment_size": 180,
    "number_of_fragments": 2,
    "no_match_size": 0,
    "order": "score",
}


def _page_query(raw: str, folded: str) -> dict[str, Any]:
    """The words on one page: phrase, then most words, original then folded, then fuzzy (last)."""
    return {
        "bool": {
            "should": [
                # adjacent words count most, then the same words a little apart (slop 2)
                {"match_phrase": {"pages.text": {"query": raw, "boost": 4}}},
                {"match_phrase": {"pages.text": {"query": raw, "slop": 2, "boost": 2}}},
                {"match_phrase": {"pages.text_folded": {"query": folded, "boost": 2}}},
                {"match_phrase": {"pages.text_folded": {"query": folded, "slop": 2, "boost": 1}}},
                {"match": {"pages.text": {"query": raw, "minimum_should_match": _MSM, "boost": 2}}},
                {"match": {"pages.text_folded": {"query": folded, "minimum_should_match": _MSM, "boost": 1}}},
                {
                    "match": {
                        "pages.text_folded": {
                            "query": folded,
                            # one typo from 4 letters, two from 7: three-letter syllables (dat, dan)
                            # stay exact, or every short word would match its neighbours
                            "fuzziness": "AUTO:4,7",
                            "prefix_length": 1,
                            # each expansion is a common syllable with long postings: 5 keep OCR
                            # repairs (rnặt, đjnh) and cost a quarter of 20 (benchmarks/search.py)
                            "max_expansions": 5,
                            "minimum_should_match": _MSM,
                            "boost": 0.5,
                        }
                    }
                },
            ]
        }
    }


def _without_fuzzy(page_query: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in page_query["bool"]["should"] if "fuzziness" not in str(c)]


def build_search(
    query: str, filters: SearchFilters | None = None, *, limit: int = 10, fuzzy: bool = True
) -> dict[str, Any]:
    """The search request body (query, inner hits, highlight, source filter); `search_records` runs it."""
    raw = " ".join(query.split())
    folded = fold(raw)
    filters = (filters or SearchFilters()).clauses()
    source = {"excludes": ["text", "text_folded", "pages", "*_folded", "ocr.steps_detail", "language_detail"]}
    if not raw:  # filters only: newest first
        return {
            "query": {"bool": {"filter": filters}} if filters else {"match_all": {}},
            "sort": [{"issue_date": {"order": "desc", "missing": "_last"}}, {"record_id": "asc"}],
            "size": limit,
            "_source": source,
        }

    page_query = _page_query(raw, folded)
    if not fuzzy:  # the fuzzy clause is the last one; the highlight never used it
        page_query = {"bool": {"should": page_query["bool"]["should"][:-1]}}
    should: list[dict[str, Any]] = [
        {
            "nested": {
                "path": "pages",
                "score_mode": "max",
                "query": page_query,
                "inner_hits": {
                    "name": "pages",
                    "size": 3,
                    # no page text in the answer: the page number from doc values, the snippets from the
                    # highlighter (a whole page per hit was most of the response, and of its parsing)
                    "_source": False,
                    "docvalue_fields": ["pages.page_no"],
                    "highlight": {
                        **_HIGHLIGHT,
                        # without the fuzzy clause: `dinh` must not light up every `dich` on the page
                        "highlight_query": {"bool": {"should": _without_fuzzy(page_query)}},
                        # the original text, lit where either it or its folded copy matched: fold keeps
                        # offsets, so a query without diacritics lights the words with them
                        "fields": {"pages.text": {"matched_fields": ["pages.text", "pages.text_folded"]}},
                    },
                },
            }
        },
        {
            "multi_match": {
                "query": raw,
                "type": "best_fields",
                "fields": [
                    "subject^3",
                    "issuing_body^2",
                    "doc_type^2",
                    "signer_name",
                    "admin_unit_old.label",
                    "admin_unit_new.label",
                    "issue_place",
                ],
                "minimum_should_match": _MSM,
                "boost": 1.5,
            }
        },
        {
            "multi_match": {
                "query": folded,
                "type": "best_fields",
                "fields": [
                    "subject_folded^3",
                    "issuing_body_folded^2",
                    "doc_type_folded^2",
                    "signer_name_folded",
                ],
                "minimum_should_match": _MSM,
                "boost": 1,
            }
        },
        {"match": {"text_folded": {"query": folded, "minimum_should_match": _MSM, "boost": 0.3}}},
    ]
    numbers = doc_numbers_in(raw)
    if numbers:
        should.insert(0, {"terms": {"doc_number_norm": numbers, "boost": 100}})
    return {
        "query": {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}},
        # counting every match of common syllables costs more than ranking the best: past 1000 the
        # page says "more than 1000" and Lucene may skip what cannot reach the top
        "track_total_hits": TOTAL_HITS_CAP,
        "size": limit,
        "_source": source,
        "highlight": {
            **_HIGHLIGHT,
            "number_of_fragments": 1,
            "fields": {"subject": {}, "subject_folded": {}},
        },
    }


@dataclass
class SearchHit:
    record_id: str
    score: float | None
    doc_number: str | None
    doc_type: str | None
    doc_type_code: str | None
    issue_date: str | None
    issuing_body: str | None
    subject: str | None
    unit_old: str | None
    unit_new: str | None
    unit_new_candidates: list[str]
    page: int | None  # the best matching page (1-based), None when only metadata matched
    matched_pages: list[int]
    snippets: list[str]  # with <em>…</em> around the matched words, in the original text
    snippet_pages: list[int | None]  # the page of each snippet (None: from the metadata)
    bucket: str
    key: str
    etag: str | None
    pdf_bucket: str | None
    pdf_key: str | None
    n_pages: int | None
    ocr_mean_conf: float | None
    number_matched: bool  # the document number in the query is this record's
    links: dict[str, str] = field(default_factory=dict)  # filled by the CLI: presigned, short-lived

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line: number, type, date, body, page and the first snippet (tags removed)."""
        snippet = _TAG.sub("", self.snippets[0]) if self.snippets else (self.subject or "")
        page = f"p.{self.page}" if self.page else "metadata"
        parts = [
            self.doc_number or "(no number)",
            self.doc_type or "",
            self.issue_date or "",
            self.issuing_body or "",
        ]
        return f"{' | '.join(p for p in parts if p)} [{page}] {snippet[:160]}"


@dataclass
class SearchPage:
    """One page of results: the hits, how many records matched, and Elasticsearch's own time."""

    hits: list[SearchHit]
    total: int
    took_ms: int  # both requests when the fuzzy one was needed
    total_is_lower_bound: bool = False  # more matched than were counted (TOTAL_HITS_CAP)


@es_errors
def search_page(
    es: Elasticsearch,
    query: str,
    *,
    index: str = "sohoa-records",
    filters: SearchFilters | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchPage:
    """Ranked records for `query`, best first, with the matching page and highlighted snippets."""
    # Fuzzy matching (OCR errors) costs as much as the rest of the query together: it runs only when
    # the exact and folded words do not fill the page (benchmarks/search.py)
    body = build_search(query, filters, limit=limit, fuzzy=False)
    if offset:
        body["from"] = offset
    resp = es.search(index=index, body=body)
    took = resp["took"]
    if len(resp["hits"]["hits"]) < limit and " ".join(query.split()):
        body = build_search(query, filters, limit=limit)
        if offset:
            body["from"] = offset
        resp = es.search(index=index, body=body)
        took += resp["took"]
    numbers = set(doc_numbers_in(query))
    hits = [_hit(h, numbers) for h in resp["hits"]["hits"]]
    total = resp["hits"]["total"]
    return SearchPage(hits, total["value"], took, total.get("relation") == "gte")


def search_records(
    es: Elasticsearch,
    query: str,
    *,
    index: str = "sohoa-records",
    filters: SearchFilters | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """Ranked records for `query`, best first (`search_page` without the totals)."""
    return search_page(es, query, index=index, filters=filters, limit=limit).hits


def _page_no(inner: dict[str, Any]) -> int | None:
    values = (inner.get("fields") or {}).get("pages.page_no")
    if values:
        return int(values[0])
    page = inner.get("_source") or {}  # an answer that still carries the page's source
    return page.get("page_no")


def _hit(h: dict[str, Any], numbers: set[str]) -> SearchHit:
    src = h["_source"]
    pages, snippets, snippet_pages = [], [], []
    for inner in h.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", []):
        page_no = _page_no(inner)
        pages.append(page_no)
        hl = inner.get("highlight", {})
        text = (inner.get("_source") or {}).get("text", "")
        found = hl.get("pages.text") or [unfold_snippet(s, text) for s in hl.get("pages.text_folded", [])]
        for snippet in found[: max(0, 3 - len(snippets))]:
            snippets.append(snippet)
            snippet_pages.append(page_no)
    if not snippets:
        hl = h.get("highlight", {})
        snippets = hl.get("subject") or [
            unfold_snippet(s, src.get("subject") or "") for s in hl.get("subject_folded", [])
        ]
    # page text has line breaks from the layout; OCR text has few sentence ends, so the highlighter's
    # passages can be long: strongest match first, and a window around it
    snippet_pages += [None] * (len(snippets) - len(snippet_pages))  # metadata snippets have no page
    ranked = sorted(zip(snippets, snippet_pages, strict=True), key=lambda sp: -match_weight(sp[0]))
    snippets = [trim_snippet(" ".join(s.split())) for s, _ in ranked]
    snippet_pages = [p for _, p in ranked]
    old, new = src.get("admin_unit_old") or {}, src.get("admin_unit_new") or {}
    deriv = src.get("derivatives") or {}
    return SearchHit(
        record_id=h["_id"],
        score=h.get("_score"),
        doc_number=src.get("doc_number"),
        doc_type=src.get("doc_type"),
        doc_type_code=src.get("doc_type_code"),
        issue_date=src.get("issue_date"),
        issuing_body=src.get("issuing_body"),
        subject=src.get("subject"),
        unit_old=old.get("label"),
        unit_new=new.get("label"),
        unit_new_candidates=new.get("candidates") or [],
        page=pages[0] if pages else None,
        matched_pages=[p for p in pages if p is not None],
        snippets=snippets,
        snippet_pages=snippet_pages,
        bucket=src["bucket"],
        key=src["key"],
        etag=src.get("etag"),
        pdf_bucket=deriv.get("processed_bucket"),
        pdf_key=deriv.get("pdf_key"),
        n_pages=src.get("n_pages"),
        ocr_mean_conf=(src.get("ocr") or {}).get("mean_conf"),
        number_matched=bool(numbers and src.get("doc_number_norm") in numbers),
    )


_TAG = re.compile(f"({re.escape(PRE)}|{re.escape(POST)})")


def unfold_snippet(snippet: str, original: str) -> str:
    """A highlight from a folded field, shown in the original text (with diacritics).

    `fold` keeps the length of NFC text, so the snippet's place in `fold(original)` is its place in
    `original`. When it cannot be found (text not NFC, page text not returned), the folded snippet is
    returned unchanged: less pretty, still correct.
    """
    parts = _TAG.split(snippet)
    plain = "".join(p for p in parts if p not in (PRE, POST))
    start = fold(original).find(plain) if original else -1
    if start < 0 or len(fold(original)) != len(original):
        return snippet
    out, pos = [], start
    for part in parts:
        if part in (PRE, POST):
            out.append(part)
        else:
            out.append(original[pos : pos + len(part)])
            pos += len(part)
    return "".join(out)


def _longest_match(parts: list[str]) -> tuple[int, int]:
    """(offset in the plain text, length) of the longest highlighted run: a phrase match is one long
    run, a stray fuzzy or folded word a short one, so the longest run is the best place to show."""
    best, pos, start = (0, 0), 0, 0
    for part in parts:
        if part == PRE:
            start = pos
        elif part == POST:
            best = max(best, (start, pos - start), key=lambda m: m[1])
        else:
            pos += len(part)
    return best


def match_weight(snippet: str) -> int:
    return _longest_match(_TAG.split(snippet))[1]


def trim_snippet(snippet: str, before: int = 60, width: int = 220) -> str:
    """At most about `width` characters of a highlighted snippet, starting a little before its longest
    match, cut at spaces, with `…` where text was left out; tags stay balanced."""
    parts = _TAG.split(snippet)
    plain = "".join(p for p in parts if p not in (PRE, POST))
    if len(plain) <= width:
        return snippet
    anchor = _longest_match(parts)[0]
    lo = max(0, anchor - before)
    if lo > 0:
        lo = plain.rfind(" ", 0, lo) + 1
    hi = min(len(plain), lo + width)
    if hi < len(plain):
        space = plain.find(" ", hi)
        hi = space if space != -1 else len(plain)
    out, pos, is_open = [], 0, False
    for part in parts:
        if part == PRE:
            if lo <= pos < hi:
                out.append(part)
                is_open = True
        elif part == POST:
            if is_open:
                out.append(part)
                is_open = False
        else:
            a, b = max(lo, pos), min(hi, pos + len(part))
            if a < b:
                out.append(part[a - pos : b - pos])
            pos += len(part)
    if is_open:
        out.append(POST)
    return ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(plain) else "")


@es_errors
def page_highlights(es: Elasticsearch, query: str, record_id: str, *, index: str) -> dict[int, str]:
    """`{page_no: whole page text with the query's words in <em>}` for one record: the record page
    lights the words of the search that led to it (with or without diacritics, as the search matched)."""
    raw = " ".join(query.split())
    if not raw:
        return {}
    page_query = _page_query(raw, fold(raw))
    body = {
        "query": {
            "bool": {
                "filter": [{"ids": {"values": [record_id]}}],
                "must": [
                    {
                        "nested": {
                            "path": "pages",
                            "query": page_query,
                            "inner_hits": {
                                "size": 100,
                                "_source": False,
                                "docvalue_fields": ["pages.page_no"],
                                "highlight": {
                                    **_HIGHLIGHT,
                                    "number_of_fragments": 0,  # the whole page
                                    "highlight_query": {"bool": {"should": _without_fuzzy(page_query)}},
                                    "fields": {
                                        "pages.text": {"matched_fields": ["pages.text", "pages.text_folded"]}
                                    },
                                },
                            },
                        }
                    }
                ],
            }
        },
        "_source": False,
        "size": 1,
    }
    resp = es.search(index=index, body=body)
    out: dict[int, str] = {}
    for hit in resp["hits"]["hits"]:
        for inner in hit.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", []):
            page_no, lit = _page_no(inner), inner.get("highlight", {}).get("pages.text")
            if page_no is not None and lit:
                out[page_no] = lit[0]
    return out


def split_highlight(text: str) -> list[tuple[str, bool]]:
    """A highlighted text as (piece, lit) pairs: what a template escapes and marks up."""
    out, lit = [], False
    for part in _TAG.split(text):
        if part == PRE:
            lit = True
        elif part == POST:
            lit = False
        elif part:
            out.append((part, lit))
    return out


_RECORD_ID = re.compile(r"^[0-9a-f]{40}$")


@es_errors
def get_record(es: Elasticsearch, record_id: str, *, index: str) -> dict[str, Any] | None:
    """One record of `index` (the alias) for the record page, without the folded copies; None when the
    id is not a record of this index (whatever other indices may hold)."""
    if not _RECORD_ID.fullmatch(record_id):
        return None
    resp = es.search(
        index=index,
        query={"ids": {"values": [record_id]}},
        source_excludes=["text", "text_folded", "*_folded", "pages.text_folded", "ocr.steps_detail"],
        size=1,
    )
    hits = resp["hits"]["hits"]
    return {**hits[0]["_source"], "record_id": hits[0]["_id"]} if hits else None
