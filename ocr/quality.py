"""A reading-quality score that needs no ground truth.

Vietnamese is written in syllables, and the set of valid syllables is closed: an initial consonant,
a rime (medial, vowel nucleus, final) and at most one tone mark, with spelling rules (k before i/e/ê,
gh/ngh before i/e/ê, only the sắc or nặng tone on a syllable closed by p, t, c or ch). A good
reading of a Vietnamese page is almost all valid syllables, numbers and abbreviations (UBND,
QĐ-UBND); a reading of noise, a wrong resolution or a page cut in half is not. Each token counts
by its length, weighed by Tesseract's confidence in it, so a confident reading of valid words
scores near 1 and a doubtful or garbled one far lower.

`score_words` gives the page's quality (0-1) and a key to choose between candidate readings of the
same page: valid confident text counts for it, invalid text against it, so a reading that lost half
of the page to a bad crop loses to a complete one even when what it kept reads well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ocr.model import Word

# Tone marks (combining, after NFD) and the vowel letters with their own diacritics (kept by NFC).
TONE_MARKS = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}
_INITIAL = r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
# Rime: optional medial o/u, a vowel nucleus (diphthongs first), an optional final consonant or glide.
# The medial o stands only before a, ă, e (and o: `xoong`), the medial u before â, ê, ơ and y: in `hỏi`,
# `túi` and `của` the o and u are the nucleus, which carries the tone.
_SYLLABLE = re.compile(
    _INITIAL
    + r"((?:o(?=[aăeo])|u(?=[âêơy]))?)"
    + r"(iê|yê|uô|ươ|ưa|ia|ua|ya|a|ă|â|e|ê|i|y|o|ô|ơ|u|ư)(ch|nh|ng|c|m|n|p|t|i|y|o|u)?$"
)
_STOP_FINALS = ("c", "ch", "p", "t")  # a syllable closed by these takes only the sắc or nặng tone
_NEEDS_FINAL = ("ă", "â", "iê", "yê", "uô", "ươ")
_FRONT = ("i", "e", "ê", "y")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,:/-]\d+)*(?:%|đ|m²|m2|ha|km)?$")
_ABBREV = re.compile(r"^(?=(?:.*[A-ZĐ]){2})[A-ZĐ][A-ZĐa-z]{1,7}\d{0,4}$")  # UBND, HĐND, QĐ, TTr, ISO9001
TRIM = "()[]{}.,;:!?\"'“”‘’«»…*"
_NEUTRAL = frozenset("-–—+=/*•·§&%")  # one-character symbols that real text has (bullets, dashes)
WORD_LISTS = (Path("/usr/share/dict/words"), Path("/usr/share/dict/american-english"))


def split_tone(token: str) -> tuple[list[str], str]:
    """The tone marks and the lower-case word without them (vowel letters ă â ê ô ơ ư kept)."""
    nfd = unicodedata.normalize("NFD", token.lower())
    tones = [TONE_MARKS[ch] for ch in nfd if ch in TONE_MARKS]
    return tones, unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in TONE_MARKS))


def syllable_parts(base: str) -> tuple[str, str, str, str] | None:
    """Initial, medial (o/u), vowel nucleus and final of a lower-case syllable without its tone."""
    m = _SYLLABLE.match(base)
    return None if m is None else (m[1] or "", m[2] or "", m[3] or "", m[4] or "")


def is_syllable(token: str) -> bool:
    """A valid Vietnamese syllable in lower case, upper case or capitalised (`hà`, `HÀ`, `Hà`)."""
    cased = token.islower() or token.isupper() or (token[:1].isupper() and token[1:].islower())
    if not token or not cased:
        return False
    tones, base = split_tone(token)
    parts = syllable_parts(base)
    if len(tones) > 1 or parts is None:
        return False
    initial, medial, nucleus, final = parts
    first = (medial or nucleus)[0]
    if initial in ("k", "gh", "ngh") and first not in _FRONT:
        return False  # k, gh, ngh only before i, e, ê, y
    if (initial in ("c", "ng") and first in _FRONT) or (initial == "g" and first in ("e", "ê")):
        return False  # ci, nge, ge are spelled ki, nghe, ghe
    if (initial == "qu" and medial) or (nucleus in _NEEDS_FINAL and not final):
        return False
    if final in ("ch", "nh") and nucleus not in ("a", "ê", "i", "y"):
        return False
    return final not in _STOP_FINALS or (tones[0] if tones else None) in ("sắc", "nặng")


@cache
def _known_words() -> frozenset[str]:
    """English and other dictionary words (Debian's `wamerican`), for English and bilingual pages."""
    for path in WORD_LISTS:
        if path.exists():
            words = path.read_text(encoding="utf-8", errors="ignore").split()
            return frozenset(w.lower() for w in words if w.isalpha() and "'" not in w)
    return frozenset()


def _part_valid(part: str, joined: bool) -> bool:
    if not part:
        return False
    if joined and len(part) == 1 and part.isalpha():  # V/v, a/b
        return True
    if _NUMBER.match(part) or _ABBREV.match(part) or is_syllable(part):
        return True
    return part.isascii() and part.isalpha() and part.lower() in _known_words()


def split_punctuation(text: str, trim: str = TRIM) -> tuple[str, str, str]:
    """A token as its leading punctuation, its word, and its trailing punctuation."""
    core = text.strip(trim)
    lead = len(text) - len(text.lstrip(trim))
    return text[:lead], core, text[lead + len(core) :]


def cased_like(word: str, like: str) -> str:
    """`word` (lower case) in the case of `like`: upper case, capitalised, or as it is."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def token_validity(token: str) -> bool | None:
    """True for a valid token (syllable, number, abbreviation, known word, or such parts joined by
    - or /), False for one that no writing has, None for punctuation that counts neither way."""
    core = token.removesuffix("./.").strip(TRIM)  # a document's last word carries its end mark
    if core[-2:] in ("'s", "'S", "’s"):  # PEOPLE'S, Viet Nam's
        core = core[:-2]
    if not core:
        return None if len(token) <= 3 else False  # "./." or ":" is text; a long run of symbols is not
    if len(core) == 1 and core in _NEUTRAL:
        return None
    if core.endswith((")", "]")) and core[:-1].isdigit():  # list markers: 1) a)
        return True
    parts = re.split(r"[-/–&]", core)
    joined = len(parts) > 1
    return all(_part_valid(p, joined) for p in parts if p) and any(parts)


@dataclass
class Quality:
    quality: float | None  # 0-1: length-weighted share of valid tokens, weighed by confidence, x coverage
    valid_share: float | None  # length-weighted share of valid tokens, confidences aside
    key: float  # for choosing between readings of one page: valid confident text minus invalid text
    tokens: int
    coverage: float | None = None  # share of the page's text-like components read (ocr.coverage)


INVALID_WEIGHT = 0.5  # an invalid character costs half of what a valid, fully confident one gains
# Share of a page's text-like components a complete reading covers: what it leaves unread beyond
# this (a block, a column, a table) lowers the quality in proportion. Below it, the unread text of
# a complete reading: seal lettering, handwritten notes, dotted leaders, a stray logo.
COVERED = 0.95


def coverage_factor(coverage: float | None) -> float:
    """1 for a reading that covers the page's text; the covered share over COVERED below that."""
    return 1.0 if coverage is None else min(1.0, coverage / COVERED)


def score_words(words: Iterable[Word], coverage: float | None = None) -> Quality:
    """The reading's quality; `coverage` (ocr.coverage), when known, scales it: a reading that left
    part of the page's text unread is worth that much less, however well it read the rest."""
    total = valid = gain = loss = 0.0
    n = 0
    for w in words:
        ok = token_validity(w.text)
        if ok is None:
            continue
        n += 1
        size = float(len(w.text))
        total += size
        conf = min(max(w.conf, 0.0), 100.0) / 100.0
        if ok:
            valid += size
            gain += size * conf
        else:
            loss += size
    if not total:
        return Quality(None, None, 0.0, 0, coverage)
    quality = round(gain / total * coverage_factor(coverage), 4)
    return Quality(quality, round(valid / total, 4), gain - INVALID_WEIGHT * loss, n, coverage)
