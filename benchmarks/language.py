"""Language detection: the Vietnamese fast path against langdetect on every line of the corpus's
ground-truth texts (agreement per line, each document's and page's language, CPU time of both).

    .venv/bin/python benchmarks/language.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langdetect.lang_detect_exception import LangDetectException  # noqa: E402

from pipeline import language  # noqa: E402


def langdetect_line(line: str) -> str | None:
    """`language.detect_line` as it was before the fast path: langdetect on every judged line."""
    if language._letters(line) < language.MIN_LINE_LETTERS:
        return None
    try:
        det = language._factory().create()
        det.append(line)
        return str(det.detect())
    except LangDetectException:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = ap.parse_args()
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(args.corpus.rglob("*.txt"))}
    lines = [ln.strip() for t in texts.values() for ln in t.splitlines() if ln.strip()]
    judged = [ln for ln in lines if language._letters(ln) >= language.MIN_LINE_LETTERS]
    fast = [ln for ln in judged if language.plainly_vietnamese(ln)]
    disagree = [ln for ln in fast if langdetect_line(ln) != "vi"]

    def languages(detect_line) -> tuple[list, float]:
        original, language.detect_line = language.detect_line, detect_line
        try:
            start = time.process_time()
            out = [language.detect_language(t) for t in texts.values()]
            return [
                (o["language"], [p["language"] for p in o["pages"]]) for o in out
            ], time.process_time() - start
        finally:
            language.detect_line = original

    before, cpu_before = languages(langdetect_line)
    after, cpu_after = languages(language.detect_line)
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    print(f"{len(texts)} texts, {len(judged)} judged lines")
    print("| measure | value |\n| --- | ---: |")
    print(f"| lines on the fast path | {len(fast)} ({len(fast) / max(len(judged), 1):.0%}) |")
    print(f"| of them, langdetect says otherwise | {len(disagree)} |")
    print(f"| documents whose language (or a page's) changes | {changed} |")
    print(f"| CPU s, langdetect on every line | {cpu_before:.2f} |")
    print(f"| CPU s, with the fast path | {cpu_after:.2f} ({cpu_after / max(cpu_before, 1e-9):.2f}x) |")
    for line in disagree[:10]:
        print("  disagrees:", line)


if __name__ == "__main__":
    main()
