"""Search benchmark: bulk-index the corpus text repeated into N synthetic records on the local node,
then time a mix of queries.

    .venv/bin/python benchmarks/search.py [--records 100000] [--queries 200] [--keep]

Prints records/s for bulk indexing (building the documents included, as the flows do it) and the
median and p95 latency of the queries (client side, as `sohoa search` sees them, and Elasticsearch's
own `took`). Uses throw-away indices (`sohoa-bench-<random>-…`), deleted at the end unless --keep.
Reads ../shared/corpus (ground-truth text and metadata of the DEV set).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import load_settings
from ocr.model import PageResult
from pipeline.document import index_document
from pipeline.record import Derivatives, RecordResult, SourceObject
from search.client import make_client
from search.folding import fold
from search.indexer import index_records
from search.query import (
    SearchFilters,
    _hit,
    build_search,
    doc_numbers_in,
    search_page,
    search_records,
)
from search.templates import ensure_indices

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DISTRICTS = ["cau-giay", "dong-da", "long-bien", "gia-lam", "hoan-kiem", "ha-dong", "thanh-xuan", "tay-ho"]


def load_samples() -> list[dict[str, Any]]:
    samples = []
    for folder in (CORPUS / "gt", CORPUS / "extra" / "gt"):
        for path in sorted(folder.glob("*.json")):
            gt = json.loads(path.read_text(encoding="utf-8"))
            pages = [p.strip("\n") for p in gt["text"].split("\f")]
            samples.append({"fields": gt["fields"], "pages": pages})
    if not samples:
        sys.exit(f"no ground truth under {CORPUS}: the benchmark needs ../shared/corpus")
    return samples


def synthetic_records(samples: list[dict[str, Any]], n: int, seed: int = 7) -> Iterator[RecordResult]:
    """N records: corpus text and metadata, with a unique number, key, date and office each."""
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    for i in range(n):
        s = samples[i % len(samples)]
        f = dict(s["fields"])
        seq = str(i + 1)
        symbol = f.get("doc_symbol") or "UBND"
        number = f"{seq}/{symbol}"
        pages = [p.replace(f.get("doc_number") or "\0", number) for p in s["pages"]]
        old = f.get("admin_unit_old") or {}
        f.update(
            doc_number=number,
            doc_number_seq=seq,
            issue_date=(start + timedelta(days=rng.randrange(7 * 365))).isoformat(),
            admin_unit_new={
                "province": "Thành phố Hà Nội",
                "commune_type": old.get("commune_type") or "phường",
                "commune": old.get("commune") or old.get("district") or "Hoàn Kiếm",
            },
        )
        district = DISTRICTS[i % len(DISTRICTS)]
        source = SourceObject("sohoa-bench", f"{district}/{i:07d}.pdf", f"e{i}", 200_000)
        steps = [{"step": "deskew", "applied": True}, {"step": "even_lighting", "applied": True}]
        page_results = [
            PageResult(n + 1, t, mean_conf=80 + rng.random() * 15, low_conf_share=0.05, steps=steps)
            for n, t in enumerate(pages)
        ]
        yield RecordResult(source, "application/pdf", page_results, f, timings={"ocr": 3.0 + rng.random()})


def bench_document(record: RecordResult) -> dict[str, Any]:
    keys = Derivatives.of(record.source, "sohoa-bench-out", with_pdf=True)
    return index_document(record, run_id="bench", derivatives=keys)


def ocr_noise(text: str, rng: random.Random) -> str:
    """Typical OCR damage: lost or wrong tone marks, m→rn, i→j, a dropped letter."""
    words = text.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.25:
            w = fold(w)
        elif r < 0.32 and "m" in w:
            w = w.replace("m", "rn", 1)
        elif r < 0.38 and "i" in w:
            w = w.replace("i", "j", 1)
        elif r < 0.42 and len(w) > 4:
            k = rng.randrange(1, len(w) - 1)
            w = w[:k] + w[k + 1 :]
        out.append(w)
    return " ".join(out)


def query_mix(
    samples: list[dict[str, Any]], n_records: int, n: int, seed: int = 11
) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    subjects = [s["fields"]["subject"] for s in samples if s["fields"].get("subject")]
    units = [s["fields"]["admin_unit_old"]["commune"] for s in samples if s["fields"].get("admin_unit_old")]
    mix: list[tuple[str, dict]] = []
    for i in range(n):
        kind = i % 5
        subject = rng.choice(subjects)
        words = subject.split()
        phrase = " ".join(words[: rng.randint(3, min(7, len(words)))])
        if kind == 0:
            mix.append((phrase, {}))
        elif kind == 1:
            mix.append((fold(phrase).lower(), {}))
        elif kind == 2:
            mix.append((ocr_noise(phrase, rng), {}))
        elif kind == 3:
            seq = rng.randrange(1, n_records + 1)
            sample = samples[(seq - 1) % len(samples)]["fields"]
            number = f"{seq}/{sample.get('doc_symbol') or 'UBND'}"
            mix.append((rng.choice([number, number.lower(), fold(number)]), {}))
        else:
            year = rng.randint(2019, 2025)
            filters = {"unit_old": rng.choice(units), "date_from": str(year), "date_to": str(year)}
            mix.append((" ".join(words[:3]), filters))
    return mix


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="keep the benchmark indices")
    ap.add_argument(
        "--prefix",
        help="reuse the indices of an earlier run kept with --keep (sohoa-bench-xxxxxx): no indexing",
    )
    args = ap.parse_args()

    settings = load_settings()
    es = make_client(settings.es_url, timeout=120)
    prefix = args.prefix or f"sohoa-bench-{uuid.uuid4().hex[:6]}"
    alias, ledger = f"{prefix}-records", f"{prefix}-ledger"
    ensure_indices(es, alias, ledger)
    samples = load_samples()
    try:
        if args.prefix:
            args.records = es.count(index=alias)["count"]
            print(f"reusing {alias}: {args.records} records")
        else:
            print(
                f"corpus: {len(samples)} samples; indexing {args.records} records into {alias} "
                f"on {settings.es_url} (keep them with --keep, reuse with --prefix {prefix})"
            )
            index_corpus(es, alias, samples, args.records)
        time_queries(es, alias, samples, args.records, args.queries)
    finally:
        if not args.keep and not args.prefix:
            names = list(es.indices.get(index=f"{prefix}-*").body)
            if names:
                es.indices.delete(index=",".join(names))
            for t in es.indices.get_index_template(name=f"{prefix}-*").body.get("index_templates", []):
                es.indices.delete_index_template(name=t["name"])


def index_corpus(es: Any, alias: str, samples: list[dict[str, Any]], n_records: int) -> None:
    t0 = time.perf_counter()
    ok = failed = 0
    docs = (bench_document(r) for r in synthetic_records(samples, n_records))
    for res in index_records(es, docs, index=alias):
        if res.ok:
            ok += 1
        else:
            failed += 1
            if failed <= 3:
                print("  failed:", res.reason_code, res.reason)
        if (ok + failed) % 20_000 == 0:
            print(f"  {ok + failed} records, {(ok + failed) / (time.perf_counter() - t0):.0f}/s")
    elapsed = time.perf_counter() - t0
    es.indices.refresh(index=alias)
    stats = es.indices.stats(index=alias, metric="docs,store")["_all"]["primaries"]
    size_mib = stats["store"]["size_in_bytes"] / 2**20
    print(
        f"bulk indexing: {ok} indexed, {failed} failed in {elapsed:.1f} s = {ok / elapsed:.0f} records/s "
        f"({size_mib:.0f} MiB on disk, {stats['docs']['count']} Lucene docs incl. nested pages)"
    )


def time_queries(es: Any, alias: str, samples: list[dict[str, Any]], n_records: int, n_queries: int) -> None:
    """Client time and Elasticsearch's `took` of the same request (the difference is transfer and
    parsing), for the search page's request and the one before issue 14, query by query in alternating
    order so that both see the same machine (it is shared, and caches warm up)."""
    mix = query_mix(samples, n_records, n_queries)
    for q, f in mix[:5]:  # warm-up, not timed
        search_records(es, q, index=alias, filters=SearchFilters(**f), limit=10)
    runs = {"search page (issue 14)": _now, "before issue 14": _before}
    stats: dict[str, dict[str, Any]] = {
        name: {"client": [], "took": [], "empty": 0, "first": 0, "numbers": 0} for name in runs
    }
    for i, (q, f) in enumerate(mix):
        order = list(runs) if i % 2 == 0 else list(reversed(runs))
        for name in order:
            start = time.perf_counter()
            hits, took = runs[name](es, alias, q, SearchFilters(**f))
            st = stats[name]
            st["client"].append((time.perf_counter() - start) * 1000)
            st["took"].append(took)
            st["empty"] += not hits
            if i % 5 == 3:  # a document-number query: is that record first?
                st["numbers"] += 1
                st["first"] += bool(hits and hits[0].number_matched)
    print(
        f"{len(mix)} mixed queries (phrases with/without diacritics, OCR-damaged, numbers, filtered), top 10:"
    )
    print(
        "| request | client median | client p95 | ES took median | ES took p95 | client - took p95 | no hit "
        "| number first |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, st in stats.items():
        gap = [c - t for c, t in zip(st["client"], st["took"], strict=True)]
        print(
            f"| {name} | {statistics.median(st['client']):.0f} ms | {percentile(st['client'], 95):.0f} ms | "
            f"{statistics.median(st['took']):.0f} ms | {percentile(st['took'], 95):.0f} ms | "
            f"{percentile(gap, 95):.0f} ms | {st['empty']} | {st['first']}/{st['numbers']} |"
        )
    kinds = ["phrase", "phrase without diacritics", "OCR-damaged", "document number", "filtered"]
    print("\nES took median / p95 by kind of query:")
    for name, st in stats.items():
        parts = []
        for k, kind in enumerate(kinds):
            xs = [t for i, t in enumerate(st["took"]) if i % 5 == k]
            parts.append(f"{kind} {statistics.median(xs):.0f}/{percentile(xs, 95):.0f}")
        print(f"  {name}: " + "; ".join(parts))


def _now(es: Any, alias: str, q: str, filters: SearchFilters) -> tuple[list[Any], int]:
    page = search_page(es, q, index=alias, filters=filters, limit=10)
    return page.hits, page.took_ms


def build_search_before_issue_14(q: str, filters: SearchFilters, limit: int) -> dict[str, Any]:
    """The request as it was before issue 14: each inner hit carried its whole page text, and both the
    original and the folded text were highlighted (the folded snippets mapped back in Python)."""
    body = build_search(q, filters, limit=limit)
    body.pop("track_total_hits", None)  # counted every match (up to Elasticsearch's default 10,000)
    for clause in body["query"].get("bool", {}).get("should", []):
        nested = clause.get("nested", {})
        inner = nested.get("inner_hits")
        if inner:
            inner.pop("docvalue_fields", None)
            inner["_source"] = ["pages.page_no", "pages.text"]
            inner["highlight"]["fields"] = {"pages.text": {}, "pages.text_folded": {}}
            fuzzy = nested["query"]["bool"]["should"][-1]["match"]["pages.text_folded"]
            fuzzy["max_expansions"] = 20
    return body


def _before(es: Any, alias: str, q: str, filters: SearchFilters) -> tuple[list[Any], int]:
    body = build_search_before_issue_14(q, filters, limit=10)
    resp = es.search(index=alias, body=body)
    numbers = set(doc_numbers_in(q))
    return [_hit(h, numbers) for h in resp["hits"]["hits"]], resp["took"]


if __name__ == "__main__":
    main()
