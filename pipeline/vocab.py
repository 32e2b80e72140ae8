"""Closed vocabularies of the Decree 30 header and signature: agency names and positions.

OCR drops or swaps Vietnamese tone marks (`PHO CHU TỊCH`, `SƠ TÀI NGUYEN`, `MỖI TRƯỜNG`); these
lines come from a small closed vocabulary, so a run of words whose letters (without diacritics) spell
a known phrase is replaced by that phrase. Proper names of places are restored from the gazetteer
(`pipeline.units.names.restore_unit_names`), not from here.
"""

from __future__ import annotations

from functools import lru_cache

from core.phrases import AUTHORITY, BODIES, POSITIONS
from core.phrases import phrases as _phrases
from pipeline.textnorm import fold, levenshtein, squash


def _upper(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return not letters or all(c.isupper() for c in letters)


# Mixed-case phrases of the `Nơi nhận` list (Decree 30 usage); only diacritics are restored from these.
RECIPIENT_PHRASES = _phrases(
    """
    Như trên | Như Điều | Lưu | Chi cục Thuế | Chi cục | Cổng thông tin điện tử | Công an | Văn phòng |
    Phòng | Thường trực | Quận ủy | Huyện ủy | Thành ủy | Thị ủy | Đảng ủy | Chủ tịch | Phó Chủ tịch |
    các PCT | Ủy ban nhân dân | Hội đồng nhân dân | Tài nguyên và Môi trường | Quản lý đô thị |
    Đăng ký đất đai | khu vực | Sở | Ban | Trung tâm | Kho bạc Nhà nước | Bảo hiểm xã hội | As above |
    Archived
"""
)
AGENCY = BODIES + _phrases(
    """
    UBND | HĐND | THÀNH PHỐ | TỈNH | QUẬN | HUYỆN | THỊ XÃ |
    PHƯỜNG | XÃ | THỊ TRẤN | SỞ | PHÒNG | BAN | CỤC | CHI CỤC | TỔNG CỤC | VĂN PHÒNG | TRUNG TÂM |
    THANH TRA | CÔNG AN | BỘ CHỈ HUY QUÂN SỰ | KHO BẠC NHÀ NƯỚC | CHI CỤC THUẾ | BẢO HIỂM XÃ HỘI |
    TÀI NGUYÊN VÀ MÔI TRƯỜNG | QUY HOẠCH - KIẾN TRÚC | LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI |
    TÀI CHÍNH - KẾ HOẠCH | TÀI CHÍNH | KẾ HOẠCH VÀ ĐẦU TƯ | QUẢN LÝ ĐÔ THỊ | KINH TẾ |
    KINH TẾ VÀ HẠ TẦNG | KINH TẾ - HẠ TẦNG | VĂN HÓA VÀ THÔNG TIN | VĂN HÓA - THÔNG TIN |
    VĂN HÓA, THỂ THAO VÀ DU LỊCH | GIÁO DỤC VÀ ĐÀO TẠO | Y TẾ | TƯ PHÁP | NỘI VỤ | XÂY DỰNG |
    GIAO THÔNG VẬN TẢI | CÔNG THƯƠNG | NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN |
    NÔNG NGHIỆP VÀ MÔI TRƯỜNG | KHOA HỌC VÀ CÔNG NGHỆ | THÔNG TIN VÀ TRUYỀN THÔNG | DÂN TỘC |
    NGOẠI VỤ | PHỤC VỤ HÀNH CHÍNH CÔNG | ĐĂNG KÝ ĐẤT ĐAI | PHÁT TRIỂN QUỸ ĐẤT | QUẢN LÝ DỰ ÁN |
    ĐẦU TƯ XÂY DỰNG | HÀNH CHÍNH | PEOPLE'S COMMITTEE | PEOPLE'S COMMITTEE OF | PEOPLE'S COUNCIL |
    HANOI | DISTRICT | WARD | COMMUNE | TOWN | DEPARTMENT OF | DIVISION OF |
    NATURAL RESOURCES AND ENVIRONMENT | PLANNING AND ARCHITECTURE | FINANCE AND PLANNING |
    URBAN MANAGEMENT | LABOUR, INVALIDS AND SOCIAL AFFAIRS | OFFICE
"""
)


# The common Vietnamese surnames, by their letters without diacritics (each spelling is unambiguous).
SURNAMES = {
    fold(n): n
    for n in _phrases(
        """
        Nguyễn | Trần | Lê | Phạm | Hoàng | Huỳnh | Phan | Vũ | Võ | Đặng | Bùi | Đỗ | Hồ | Ngô
        Dương | Lý | Đinh | Trịnh | Đoàn | Lương | Cao | Chu | Tạ | Lâm | Tô | Quách | Triệu | Khuất
        Kiều | Thái | Tăng | Vương | Từ | Mạc | Nghiêm | Lưu | Khổng | Phùng | Đào | Tống | Giang
        Hứa | Lại | Doãn | Âu | Đàm | Quan | Trương | Châu | Đồng | Kim | Mai | Hà | Lục | Thân
        Viên | Nông | Lò | Bạch | Đậu | Hàn | Ông | Tôn | Cù | Ninh
"""
    )
}


@lru_cache(maxsize=4)
def _table(kind: str) -> dict[int, dict[str, str]]:
    """Token count -> squashed phrase -> phrase."""
    phrases = {
        "positions": POSITIONS + AUTHORITY,
        "agency": AGENCY,
        "all": POSITIONS + AUTHORITY + AGENCY,
        "recipients": RECIPIENT_PHRASES,
    }[kind]
    out: dict[int, dict[str, str]] = {}
    for p in phrases:
        out.setdefault(len(p.split()), {})[squash(p)] = p
    return out


def _match(tokens: list[str], table: dict[int, dict[str, str]], kind_fuzzy: bool = True) -> str | None:
    key = squash(" ".join(tokens))
    if not key:
        return None
    phrases = table.get(len(tokens), {})
    if key in phrases:
        return phrases[key]
    if len(key) >= 8 and kind_fuzzy:
        # a letter lost or doubled by OCR (`COMMTITTEE`), only in longer phrases
        limit = 1 if len(key) < 16 else 2
        hits = [
            p
            for k, p in phrases.items()
            if abs(len(k) - len(key)) <= limit and levenshtein(k, key, limit) <= limit
        ]
        if len(hits) == 1:
            return hits[0]
    return None


def correct_phrases(line: str, kind: str = "all", protected: set[int] | None = None) -> tuple[str, float]:
    """Replace runs of words that spell a known phrase; return (line, share of words covered).

    Tokens whose index is in `protected` (place names) are never part of a replacement."""
    tokens = line.split()
    table = _table(kind)
    protected = protected or set()
    fuzzy = kind != "recipients"  # mixed-case body text: diacritics only, no letter changes
    out: list[str] = []
    covered = 0
    i = 0
    while i < len(tokens):
        if i in protected:
            out.append(tokens[i])
            i += 1
            continue
        for j in range(min(len(tokens), i + 7), i, -1):
            if any(k in protected for k in range(i, j)):
                continue
            if kind != "recipients" and not all(_upper(t) for t in tokens[i:j]):
                continue  # header and signature words are upper case; `trụ sở` in prose is not `SỞ`
            hit = _match(tokens[i:j], table, fuzzy)
            if hit and kind == "recipients" and hit[0].isupper() != tokens[i][0].isupper():
                hit = None  # `các PCT` stays lower case, `Phòng` upper
            if hit and kind == "recipients" and hit.split()[-1].isalpha():
                # keep punctuation glued to the last word (`Quận ủy;`)
                tail = "".join(c for c in tokens[j - 1][::-1] if not c.isalnum())[::-1]
                hit = hit + tail if not tokens[j - 1].endswith(hit.split()[-1]) else hit
            if hit:
                out.append(hit)
                covered += j - i
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out), covered / len(tokens) if tokens else 0.0


def canonical_position(line: str) -> tuple[str, float] | None:
    """`PHO CHU TỊCH` -> (`PHÓ CHỦ TỊCH`, coverage); None for a line that is not a position.
    Specks after the position (`PHÓ CHỦ TỊCH ˆ ?T`, tokens of at most two letters) are dropped."""
    tokens = line.split()
    while (
        len(tokens) > 1
        and sum(c.isalpha() for c in tokens[-1]) <= 2
        and not _match(tokens[-1:], _table("positions"))
    ):
        tokens.pop()
    fixed, share = correct_phrases(" ".join(tokens), "positions")
    if share < 0.6:
        # words run together by OCR (`CHỦTỊCH`)
        key = squash(" ".join(tokens))
        whole = [p for p in POSITIONS + AUTHORITY if squash(p) == key]
        return (whole[0], 1.0) if whole else None
    return fixed, share


def segment_positions(line: str) -> list[str] | None:
    """`TM. ỦY BAN NHÂN DÂN PHÓ CHỦ TỊCH KT. CHỦ TỊCH` (a signer block read as one line) ->
    its known phrases in order; None unless the line is two or more of them (specks aside)."""
    tokens = line.split()
    table = _table("positions")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 7), i, -1):
            hit = _match(tokens[i:j], table)
            if hit:
                out.append(hit)
                i = j
                break
        else:
            if sum(c.isalpha() for c in tokens[i]) > 2:
                return None  # a word that belongs to no phrase: not a pure signer line
            i += 1
    return out if len(out) >= 2 else None
