"""The `Nơi nhận` list of recipients, and the lines of the closing left for the signer block.

OCR reads the two closing columns across (`- Như trên; KT. CHỦ TỊCH`): each line is cut between the
recipient part and the signer part.
"""

from __future__ import annotations

import re

from pipeline.metadata.cues import ITEM, NAME, RECIP_CUE, Found, ends_sentence
from pipeline.metadata.signer import AUTH_MARK, signer_like
from pipeline.textnorm import collapse_ws, fold, is_upper_line, letters_share, levenshtein
from pipeline.units.names import restore_unit_names
from pipeline.vocab import correct_phrases


def split_closing_line(line: str) -> tuple[str, str]:
    """Recipient part and signer part of a closing line that OCR read across both columns."""
    s = line.strip()
    toks = list(re.finditer(r"\S+", s))
    # the upper-case run at the end of the line (`... Hà Nội; PHÓ CHỦ TỊCH`)
    k = len(toks)
    while k > 0 and _caps_word(toks[k - 1].group()):
        k -= 1
    if 0 < k < len(toks):
        tail_toks = toks[k:]
        # an item's own end (`Lưu: VT. PHÓ CHỦ TỊCH`) is a better cut than the first capital
        for i, t in enumerate(tail_toks[:-1]):
            if t.group().endswith((";", ".")) and not AUTH_MARK.match(fold(t.group()) + " "):
                tail_toks = tail_toks[i + 1 :]
                break
        tail = s[tail_toks[0].start() :]
        if signer_like(tail):
            return s[: tail_toks[0].start()].strip(), tail.strip()
    # `- Lưu: VT, TNMT. Trần Minh Hằng`: a name after the item's final punctuation
    m2 = re.search(r"[;.]\s+([A-ZĐÀ-Ỹ][a-zđà-ỹ]+(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]+){1,5})\s*$", s)
    if m2 and s.startswith(("-", "–", "+", "•")):
        return s[: m2.start() + 1].strip(), m2.group(1)
    return s, ""


def _caps_word(tok: str) -> bool:
    letters = [c for c in tok if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_recip_cue(line: str) -> bool:
    """`Nơi nhận:`, `Noi nhan`, `Nơi nhặn :`, `Recipients:`, `Recipienis:` (a letter or two off)."""
    toks = re.findall(r"[a-z]+", fold(line)[:40])
    if not toks:
        return False
    if len(toks) >= 2 and levenshtein(toks[0] + toks[1], "noinhan", 2) <= 2 and toks[0].startswith("n"):
        return ":" in line[:25] or len(toks) <= 3
    return levenshtein(toks[0], "recipients", 2) <= 2 and toks[0].startswith("rec")


def _is_luu(item: str) -> bool:
    """`Lưu: VT, ...` (or `Archived: VT`), also as OCR reads it (`Luu:`, `Lưu VT`)."""
    head = fold(item).lstrip(" -~=")[:9]
    return bool(re.match(r"^(l[uư]u|archived)\s*:?\s*v", head)) or bool(
        re.match(r"^\S{1,3}\s*:\s*vt\b", head)
    )


def _code_token(tok: str) -> bool:
    letters = [c for c in tok.rstrip(",.;") if c.isalpha()]
    return 2 <= len(tok.rstrip(",.;")) <= 10 and bool(letters) and all(c.isupper() for c in letters)


def clean_item(item: str) -> str:
    """One `Nơi nhận` item: punctuation, OCR specks and the `Lưu: VT, ...` line made regular."""
    item = collapse_ws(item).strip().strip(" ;.,:_-~`'\"^").strip()
    item = re.sub(r"[;,]?\s+[^\W\d]$", "", item)  # a speck read as a last letter (`...; l`)
    m = re.match(r"^(\S{1,9})\s*:\s*(.*)$", item)
    if m and (levenshtein(fold(m.group(1)), "luu", 2) <= 2 or fold(m.group(1)).startswith("archiv")):
        head = "Lưu" if not fold(m.group(1)).startswith("archiv") else "Archived"
        codes = []
        for tok in re.split(r"[,.;:\s]+", m.group(2)):
            if not tok:
                continue
            if not _code_token(tok):
                break
            code = tok.rstrip(",.;")
            if not codes and len(code) >= 5 and code.startswith("V") and _code_token(code[2:]):
                codes.append("VT")  # `VELĐTBXH`: `VT, LĐTBXH` run together
                code = code[2:]
            if (
                not codes
                and code != "VT"
                and (levenshtein(fold(code), "vt", 1) <= 1 or re.fullmatch(r"V\w{1,2}", code))
            ):
                code = "VT"  # Decree 30: the first copy is always the clerical office's (VT)
            codes.append(code)
        if codes:
            return f"{head}: {', '.join(codes)}"
    if "archived" in fold(item):
        return item
    return restore_unit_names(correct_phrases(item, "recipients")[0])


def _bulletless_item(line: str, first_item: bool, open_item: bool) -> bool:
    """A recipient whose `-` OCR lost: mixed case, not a name, first in the list or ending like an item."""
    if open_item or is_upper_line(line) or NAME.match(line.strip()):
        return False
    if not _text_like(line):
        return False  # specks from the signature or the seal
    return first_item or line.rstrip().endswith((";", "."))


def _text_like(line: str) -> bool:
    return sum(c.isalpha() for c in line) >= 4 and letters_share(line) >= 0.7 and len(line.split()) >= 2


def parse_closing(lines: list[str]) -> tuple[Found | None, list[str]]:
    """Recipients after `Nơi nhận:`, and the lines left for the signer block (in order)."""
    cue_at = None
    for n in range(len(lines) - 1, -1, -1):
        if _is_recip_cue(lines[n]):
            cue_at = n
            break
    if cue_at is None:
        return None, lines[-12:]
    items: list[str] = []
    signer: list[str] = []
    first = lines[cue_at]
    m = RECIP_CUE.match(fold(first))
    rest = first[m.end() :].strip() if m else first.split(":", 1)[1].strip() if ":" in first else ""
    if re.match(r"^/\s*\w+\s*:?$", rest) and levenshtein(fold(rest.strip("/: ")), "recipients", 2) <= 2:
        rest = ""  # the English half of `Nơi nhận / Recipients:`
    if rest:
        if signer_like(rest) or is_upper_line(rest):
            signer.append(rest)
        else:
            items.append(rest)
    open_item = False
    closed = False
    expanded: list[str] = []
    for line in lines[cue_at + 1 :]:
        # two items read as one line: `- Công an phường X; - Lưu: VT.`
        expanded.extend(p for p in re.split(r"(?<=[;.:])\s+(?=[-–+•]\s)", line) if p.strip())
    for line in expanded:
        left, right = split_closing_line(line)
        if right:
            signer.append(right)
        if not left or (not items and fold(left).strip(" :;.") in ("nhan", "noi nhan")):
            continue  # a second reading of the cue (`nhận:`)
        codes = left.replace(",", " ").split()
        if (
            items
            and _is_luu(items[-1])
            and not items[-1].rstrip().endswith(".")
            and len(codes) <= 3
            and all(_code_token(t) for t in codes)
            and not signer_like(left)
        ):
            items[-1] = items[-1].rstrip(" ,;") + ", " + left  # the codes of `Lưu:` wrapped
            closed = True
            continue
        if closed:
            signer.append(left)
            continue
        if ITEM.match(left) and (left.lstrip()[0] in "-–" or _text_like(ITEM.sub("", left))):
            items.append(ITEM.sub("", left))
            open_item = not ends_sentence(left)
        elif _bulletless_item(left, first_item=not items, open_item=open_item):
            items.append(left)  # the bullet was lost
            open_item = not ends_sentence(left)
        elif open_item and not is_upper_line(left) and not NAME.match(left.strip()):
            items[-1] = items[-1] + " " + left
            open_item = not ends_sentence(left)
        else:
            signer.append(left)
            continue
        if (left.rstrip().endswith(".") and not re.search(r"\b[A-Z][a-z]?\.$", left.rstrip())) or _is_luu(
            items[-1]
        ):
            closed = True  # the last item ends with a full stop; `Lưu: VT` is always the last
    # `A; B` on one line is two items when B starts a new name (`; các PCT` is OCR for `, các PCT`)
    items = [part for i in items for part in ([i] if _is_luu(i) else re.split(r";\s+(?=[A-ZĐÀ-Ỹ])", i))]
    clean = [clean_item(i) for i in items]
    clean = [i for i in clean if sum(c.isalpha() for c in i) >= 2 and len(i) < 200]
    conf = 0.9 if clean and closed else 0.7
    return ((clean, conf) if clean else None), signer
