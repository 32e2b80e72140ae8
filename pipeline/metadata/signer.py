"""The signer block: authority lines (TM., KT., TL., TUQ.), the last position line, and the name under
the signature."""

from __future__ import annotations

import re

from pipeline.metadata.cues import NAME, Found, bars
from pipeline.textnorm import collapse_ws, fold, is_upper_line, letters_share
from pipeline.vocab import SURNAMES, canonical_position, correct_phrases, segment_positions

AUTH_MARK = re.compile(r"^(tm|kt|tl|tuq|q|pp|p\.p)\s*[.,:]\s*|^(for the|on behalf of|by order of)\b", re.I)
_SIGNER_WORDS = bars(
    "chu tich|giam doc|truong|pho |chanh|bi thu|thu truong|cuc truong|chairman|director|head|chief|"
    "committee|uy ban|hoi dong|tong"
)


def signer_like(caps: str) -> bool:
    f = fold(caps) + " "
    return bool(AUTH_MARK.match(f)) or any(w in f for w in _SIGNER_WORDS)


def fix_surname(name: str) -> str:
    """`Đỉnh Công Thế Đạt` -> `Đinh Công Thế Đạt`: the first word of a Vietnamese name is a surname,
    from a short closed list. Names written without diacritics (English pages) are left alone."""
    first, _, rest = name.partition(" ")
    if not rest or fold(name) == name.lower():
        return name
    hits = SURNAMES.get(fold(first))
    return f"{hits} {rest}" if hits and hits != first else name


def parse_signer(block: list[str]) -> dict[str, Found]:
    """Authority lines (TM., KT., ...), the last position line, and the name under the signature."""
    out: dict[str, Found] = {}
    lines = [collapse_ws(x) for x in block if collapse_ws(x)]
    name_at = None
    for n in range(len(lines) - 1, -1, -1):
        cand = re.sub(r"^[^\wĐđÀ-ỹ]+|[^\wĐđÀ-ỹ]+$", "", lines[n])
        if NAME.match(cand) and not signer_like(cand.upper()) and len(cand) <= 40:
            name_at = n
            out["signer_name"] = (fix_surname(cand), 0.9)
            break
    caps_end = name_at if name_at is not None else len(lines)
    caps = [x for x in lines[:caps_end] if is_upper_line(x, 2) and len(x) < 70]
    # `PHÓ CHỦ TỊCH KT. CHỦ TỊCH`: OCR put an authority line beside the title; authority goes first
    split_caps: list[str] = []
    for x in caps:
        parts = segment_positions(x) or [
            p.strip() for p in re.split(r"\s+(?=(?:TM|KT|TL|TUQ)\s*\.\s)", x) if p.strip()
        ]
        marked = [p for p in parts if AUTH_MARK.match(fold(p))]
        split_caps.extend(marked + [p for p in parts if p not in marked])
    caps = split_caps
    # the signature scribble reads as short upper-case garbage (`VẤ Z¬`): keep position-like lines
    kept: list[str] = []
    for x in caps:
        x = correct_phrases(x, "positions")[0]
        pos = canonical_position(x)
        if pos:
            kept.append(pos[0])
        elif (
            letters_share(x) >= 0.8
            and sum(c.isalpha() for c in x) >= 6
            and (kept or AUTH_MARK.match(fold(x)))
        ):
            kept.append(x)
    caps = kept
    if not caps:
        return out
    title_at = max((i for i, x in enumerate(caps) if canonical_position(x) and not AUTH_MARK.match(fold(x))),
                   default=len(caps) - 1)  # fmt: skip
    title = caps[title_at].rstrip(" .,:;")
    auth: list[str] = []
    for x in caps[:title_at]:
        if AUTH_MARK.match(fold(x)) or not auth:
            auth.append(x)
        else:
            auth[-1] = auth[-1] + " " + x
    if AUTH_MARK.match(fold(title)) and not auth:
        # `TM. ỦY BAN NHÂN DÂN` alone is not a position; no title then
        out["signer_authority"] = ([title], 0.6)
        return out
    out["signer_title"] = (title, 0.9 if "signer_name" in out else 0.7)
    out["signer_authority"] = ([a.rstrip(" .,:;") for a in auth], 0.85)
    return out
