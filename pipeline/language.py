"""Language of a document and of each page: `vi`, `en`, `mixed` or `unknown`.

langdetect runs with a fixed seed (the same text always gives the same answer). A bilingual page
alternates Vietnamese and English paragraphs, and langdetect on a whole page would just call the
majority; so we judge line by line and weigh each line by its letters. The shares of the top two
languages decide: one language above MAIN_SHARE is that language, Vietnamese and English each above
MIXED_SHARE is `mixed`. Text with fewer than MIN_LETTERS letters is `unknown`.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from langdetect import DetectorFactory, detector_factory
from langdetect.lang_detect_exception import LangDetectException

MIN_LETTERS = 40  # below this a page or document is too short to judge
MIN_LINE_LETTERS = 18  # shorter lines (names, numbers, headings) are not judged
MAIN_SHARE = 0.85
MIXED_SHARE = 0.15
MAX_LINES = 400  # lines judged per document: a 50 MB text is sampled, not read whole
_LOCK = threading.Lock()
_FACTORY: DetectorFactory | None = None


def _factory() -> DetectorFactory:
    global _FACTORY
    with _LOCK:
        if _FACTORY is None:
            factory = DetectorFactory()
            factory.load_profile(detector_factory.PROFILES_DIRECTORY)
            factory.set_seed(0)
            _FACTORY = factory
    return _FACTORY


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


# Letters no other language written in Latin script uses: ă đ ơ ư, and vowels with a dot below, a hook
# above, or two marks (ấ, ệ, ở ...). French and Portuguese share à á â ã ê ô ç, so those do not count.
_VI_ONLY = frozenset(
    "ăđơưạặậẹệịọộợụựỵảẳẩẻểỉỏổởủửỷẽễĩũữỹấầẫắằẵếềồốỗớờỡứừĂĐƠƯẠẶẬẸỆỊỌỘỢỤỰỴẢẲẨẺỂỈỎỔỞỦỬỶẼỄĨŨỮỸẤẦẪẮẰẴẾỀỒỐỖỚỜỠỨỪ"
)
VI_ONLY_WORDS = 0.3  # share of a line's words with such a letter above which the line is Vietnamese


def plainly_vietnamese(line: str) -> bool:
    """Whether enough of the line's words carry a letter only Vietnamese writes: langdetect would say
    `vi` too, at ~2 ms a line (most of the language step's time on a page of prose)."""
    words = line.split()
    marked = sum(1 for w in words if not _VI_ONLY.isdisjoint(w))
    return bool(words) and marked >= VI_ONLY_WORDS * len(words)


def detect_line(line: str) -> str | None:
    """Most probable language of one line, or None if it cannot be judged."""
    if _letters(line) < MIN_LINE_LETTERS:
        return None
    if plainly_vietnamese(line):
        return "vi"
    try:
        det = _factory().create()
        det.append(line)
        return str(det.detect())
    except LangDetectException:
        return None


def _shares(lines: list[str]) -> tuple[Counter[str], int]:
    weights: Counter[str] = Counter()
    total = 0
    if len(lines) > MAX_LINES:
        step = len(lines) / MAX_LINES
        lines = [lines[int(i * step)] for i in range(MAX_LINES)]
    for line in lines:
        lang = detect_line(line)
        if lang is None:
            continue
        n = _letters(line)
        weights[lang] += n
        total += n
    return weights, total


def _decide(weights: Counter[str], total: int) -> dict[str, Any]:
    if total < MIN_LETTERS:
        return {"language": "unknown", "top": []}
    top = [{"lang": lang, "share": round(w / total, 3)} for lang, w in weights.most_common(2)]
    vi, en = weights.get("vi", 0) / total, weights.get("en", 0) / total
    if vi >= MIXED_SHARE and en >= MIXED_SHARE:
        lang = "mixed"
    elif vi >= MAIN_SHARE or (vi > 0.5 and vi >= en):
        lang = "vi"
    elif en >= MAIN_SHARE or (en > 0.5 and en > vi):
        lang = "en"
    else:
        lang = "unknown"
    return {"language": lang, "top": top}


def _split(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def detect_language(text: str, page_texts: list[str] | None = None) -> dict[str, Any]:
    """{"language": ..., "confidence": ..., "top": [{lang, share}...], "pages": [{page, language, top}]}."""
    pages = page_texts if page_texts is not None else text.split("\f")
    doc_weights: Counter[str] = Counter()
    doc_total = 0
    per_page = []
    budget = MAX_LINES
    for i, page in enumerate(pages, 1):
        lines = _split(page)[: max(0, budget)]
        budget -= len(lines)
        weights, total = _shares(lines)
        doc_weights.update(weights)
        doc_total += total
        per_page.append({"page": i, **_decide(weights, total)})
    doc = _decide(doc_weights, doc_total)
    if doc["language"] in ("vi", "en"):
        conf = doc["top"][0]["share"]
    elif doc["language"] == "mixed":
        conf = min(1.0, sum(t["share"] for t in doc["top"]))
    else:
        conf = 0.0
    return {**doc, "confidence": round(conf, 3), "pages": per_page}
