"""Tone marks a reading lost, put back from the syllable's own spelling and the words it forms.

On soft or small print (phone photos, 200-dpi pages) Tesseract's `vie` model gets a tone mark wrong
in three ways that the text itself can settle:
- **A syllable closed by p, t, c or ch** takes only the sắc or the nặng tone. Read without either
  (`câp`, `kêt quả`, `quyêt`), it takes the one that forms a word with a neighbour (`cập nhật`), or
  else the sắc, the commoner of the two. Read with the other one, forming no word, it takes the one
  that forms a word with a free neighbour (below): `giải quyệt` -> `giải quyết`.
- **The tone above a circumflex or a breve** merges with the hat or, blurred, reads as another: `tổ
  chức` reads `tô chức` or `tố chức`, `cụ thể` reads `cụ thê`, `số lượng` reads `sô lượng`, `chuyển`
  reads `chuyền`, `mua sắm` reads `mua săm`. A syllable with ă, â, ê or ô and no tone (or the
  acute, the grave or the tilde, between two neighbours) that forms no word with either neighbour
  takes the tone above that does, when exactly one does, and either the word is formed with a free
  word before it (below: `hệ thông` -> `hệ thống`) or the marked syllable is in at least half as many
  words as the one read. That keeps `hành chính công`: `chính` is not free (`hành chính`), and `công`
  is in thirty times as many words as `cống`. Where no tone forms a word with a neighbour (`Công văn
  sô 2701`), a lower-case syllable without a tone takes the one that makes a syllable found in ten
  times as many words of the list (`số`).
- **A hat lost** under a tone: `thành phố` reads `thành phó`, `công bố` reads `công bó`, `KẾT QUẢ`
  reads `KÉT QUẢ`. A syllable with a tone and a, e or o (closed by p, t, c or ch too) that forms no
  word with either neighbour takes the hat (â, ê, ô) when that forms a word with a free neighbour:
  the word before, if not already in a word with its own left neighbour nor a capitalised name
  before a lower-case syllable (`Lý Hữu Kiên có` stays: `kiên cố` is a word); the word after, if not
  in a word with its own right neighbour (`có ý kiến` stays: `ý kiến` is a word, so not `cố ý`). The
  breve read for the circumflex, or the other way round, is put right the same way (`bằu cử` -> `bầu
  cử`, `hoàn tắt` -> `hoàn tất`).
- **The function words `để` and `về`** read as `đề` or `đế` and as `vê` or `vệ`, syllables that stand
  in administrative text only inside words (`vấn đề`, `đề nghị`, `bảo vệ`): where the syllable read
  forms no word with either neighbour (nor would with any tone), and something follows it, the
  function word is taken (`giải pháp đề tháo gỡ` -> `để tháo gỡ`, `(đề b/c)` -> `(để b/c)`, `VÊ VIỆC`
  -> `VỀ VIỆC`).
- **The hook read as the acute** on a syllable without a hat: `Phó Chủ tịch` reads `Phó Chú tịch`,
  `Chính phủ` reads `Chính phú`. It takes the hỏi where that forms a word with a free neighbour (a
  capitalised one too) and no other tone forms one, unless the syllable read is far commoner (`hội
  quân chúng do Đảng`, `quần` read `quân`, keeps `chúng`).
- **Two neighbouring syllables both read with a wrong tone** (`Luật Đầu thâu`), neither forming a
  word with a neighbour and one of them hardly ever written (`thâu`): the one pair of other tones
  that forms a word is taken (`Luật Đấu thầu`). Two capitalised words are left alone, as a name's
  (`Ban Vì sự tiến bộ`), and so are two syllables that are written (`về tính` is no `vệ tinh`, `bán
  vé` no `bản vẽ`, though the list holds neither as read).
- **A speck over the dot of i** reads as the hook: `chi tiết` reads `chỉ tiết`, `phạm vi` reads
  `phạm vỉ`. An open syllable ending in i or y with the hook, forming no word with either neighbour,
  loses the hook when it then forms one (`chỉ có` stays: `chi có` is no word either). Read as another
  mark (`phạm vì`, `mình bạch`, `khả thị`), an i or y with its final too loses the mark where the
  syllable then forms a word with a free neighbour, no other tone forms one, and it is not far rarer
  (RARER_TAKEN): `vì vậy` and `tự mình` stay.

- **A syllable no one writes**, read with a mark that made it so (`só`, `nghìa`, `nhăm`, `đân`), and
  forming no word with a neighbour, takes the one spelling a mark away (a tone, a hat, the stroke of
  đ) that is written far more often (`số`, `nghĩa`, `nhằm`, `dân`), by wordfreq's Vietnamese
  frequencies. Only syllables the list does not hold at all: the words of land and dike records are
  rare in general text (`thửa`, `đê`).

Each rule takes a reading only where it is the one the letters allow: where another tone would form a
word too (`đông đất`: `đồng đất` or `động đất`; `dỉ vật`: `di vật` or `dị vật`), the word stays as read.

A capitalised word is treated the same (`Mặt trận Tô quốc` -> `Tổ quốc`, `Kế hoạch và Đâu tư`), but
a capitalised word beside it is part of a name, not a neighbour: `Luật Đâu tư` -> `Luật Đầu tư`, and
`Tô Lâm` stays. A lower-case syllable after a capitalised word takes a tone above or the hook that
forms a word with it (`Hệ thông` -> `Hệ thống`), but no hat (`Lý Hữu Kiên có` stays). An upper-case
word is treated the same too (`XÚC TIÊN ĐẦU TƯ` -> `XÚC TIẾN`), and more: in headings and titles,
where no word stands alone the way `tại` or `cả` does in a sentence, any tone (or none) that alone
forms a word with a free neighbour is taken (`BẢO CÁO` -> `BÁO CÁO`, `KẾT QUÁ` -> `KẾT QUẢ`), except
on a unit's type (`VIỆT NAM TỈNH` is no `nam tính`). Words in a run that spells the name of a place
are left alone (`ocr.places`: `QUẬN LONG BIÊN`, `phường Điện Biên chứng nhận`, though `long biến` and
`biến chứng` are words). The far-commoner rule is for lower case alone. The words are pyvi's list of
31,157 Vietnamese words (`data/vi-words.txt`, MIT licence); the frequencies are the `wordfreq`
package's (its data under CC BY-SA 4.0).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

from ocr import places
from ocr.model import Word
from ocr.quality import (
    TONE_MARKS,
    TRIM,
    cased_like,
    is_syllable,
    split_punctuation,
    split_tone,
    syllable_parts,
)

WORDS = Path(__file__).with_name("data") / "vi-words.txt"
_MARKS = {name: mark for mark, name in TONE_MARKS.items()}
_ABOVE = ("sắc", "huyền", "hỏi", "ngã")  # the tones written above the vowel, beside a hat
# Tones above a hat that a reading gives in place of another (`tổ` -> `tố`, `chuyển` -> `chuyền`,
# `đổi` -> `đồi`). Not the hỏi: taken for a misreading, the printed `để` and `kể` became `đề`, `kế`.
_MISREAD = ("sắc", "huyền", "ngã")
_STOP_FINALS = ("c", "ch", "p", "t")
_HATTED = "ăâêô"
_OWN_LETTERS = "ăâêôơưđ"  # letters only Vietnamese has: `at` or `that` is left alone
_MARKED_VOWELS = "ăâêôơư"
_UNIT_TYPES = ("tinh", "huyên", "quân", "xa", "phương")  # their letters: `VIỆT NAM TỈNH` is no `nam tính`
_VOWELS = "aăâeêioôơuưy"
_TRIM = TRIM + "/"  # with the slash of a last word's end mark: `hợp./.`
RARER = 0.5  # a restored syllable is in at least this share of the words the one read is in
# With no neighbour to settle it, a syllable with a hat and no tone takes the one tone above that
# makes a syllable in this many times as many words (`sô` 6, `số` 136; `thê` 7, `thể` 92). At 5,
# `khâu` (a stage of work; 4 words) became `khẩu` (33).
COMMONER = 10

# Readings of the two function words that stand alone in a sentence and that a lost tone turns into
# a syllable found, in administrative text, only inside a word: `để` read with the grave or the acute
# (`vấn đề`, `đề nghị`, `đế quốc`), `về` read without its grave (`vê` is a rare verb) or with a speck
# below it (`bảo vệ`, `vệ sinh`). Taken only where the syllable read forms no word with either
# neighbour and something follows it (not at a page's end or before punctuation: `(để b/c)` in a list
# of recipients). Not `đê` (a dike, a noun on its own).
FUNCTION_WORD_MISREAD = {"đề": "để", "đế": "để", "vê": "về", "vệ": "về"}

# A lower-case syllable that forms no word with a neighbour and that is written less than once in a
# million words (wordfreq's Vietnamese list, from Wikipedia, subtitles, news and the web, holds none
# rarer: https://github.com/rspeer/wordfreq), read with a mark that made it so (`só`, `nghìa`, `xuát`,
# `đân`), takes the spelling one mark away (another tone, a hat or the stroke of đ put on or taken
# off) written at least this often (`số`, `nghĩa`, `xuất`, `dân`). A syllable the list holds stays,
# however rare beside the other spelling: the words of land and dike records are rare in general text
# (`thửa` 1 in 1,300 of `thừa`, `đê` 1 in 230 of `để`: `tuyến đê hữu Hồng`, `thửa số 12`).
COMMON = 1e-4
LEAD = 3  # ... and at least this many times as often as the next such spelling (`bâng`: `bảng` or `bằng`)
# The rules for the hỏi read as the sắc, a speck over i, the breve and two syllables retoned together
# take a syllable only where it is written at least this share as often as the one read: `quân chủng`
# is a word, but in `hội quân chúng do Đảng` (`quần` read `quân`) `chúng` is written 36 times as often.
RARER_TAKEN = 0.1
# Two syllables are retoned together only where one of them, as read, is written less than this
# often (`thâu`, 1 in 110,000 words); `vé` (1 in 14,000) stands in `bán vé`, which the list lacks.
PAIR_RARE = 2e-5
_HATS = {"a": "â", "e": "ê", "o": "ô"}
_MARK_TOGGLED = _HATS | {hat: bare for bare, hat in _HATS.items()} | {"d": "đ", "đ": "d"}

Key = tuple[str, str | None]  # a syllable as its letters and its tone, wherever the mark is placed


def _key(syllable: str) -> Key:
    tones, base = split_tone(syllable)
    return base, tones[0] if tones else None


@cache
def _lexicon() -> tuple[frozenset[tuple[Key, Key]], Counter[Key]]:
    """Syllables that follow each other in a word, and how many words hold each syllable."""
    pairs: set[tuple[Key, Key]] = set()
    held: Counter[Key] = Counter()
    for line in WORDS.read_text(encoding="utf-8").splitlines():
        syllables = [_key(s) for s in unicodedata.normalize("NFC", line).lower().split()]
        pairs.update(itertools.pairwise(syllables))
        held.update(set(syllables))
    return frozenset(pairs), held


def _marked(base: str, tone: str) -> str | None:
    """`base` (lower case, no tone) with `tone` on the vowel that carries it, where that vowel is
    certain: the last of ă â ê ô ơ ư, else the last vowel before a final consonant."""
    parts = syllable_parts(base)
    if parts is None:
        return None
    initial, medial, nucleus, final = parts
    vowels = medial + nucleus
    hats = [i for i, ch in enumerate(vowels) if ch in _OWN_LETTERS]
    if hats:
        at = hats[-1]
    elif final:
        at = len(vowels) - 1
    elif not medial:
        at = 0
    else:
        return None  # hoà or hòa: both placements are written
    at += len(initial)
    letter = unicodedata.normalize("NFC", unicodedata.normalize("NFD", base[at]) + _MARKS[tone])
    return base[:at] + letter + base[at + 1 :]


def _forms_word(left: str | None, syllable: str, right: str | None) -> bool:
    pairs, _ = _lexicon()
    key = _key(syllable)
    return (left is not None and (_key(left), key) in pairs) or (
        right is not None and (key, _key(right)) in pairs
    )


def _any_forms_word(left: str | None, spellings: list[str | None], right: str | None) -> bool:
    return any(s and _forms_word(left, s, right) for s in spellings)


def _every_tone(base: str) -> list[str | None]:
    """`base` without a tone and with each of the five (None where the mark's place is not certain)."""
    return [base, *(_marked(base, t) for t in _MARKS)]


def restored(
    syllable: str,
    left: str | None,
    right: str | None,
    *,
    left_taken: bool = False,
    left_name: bool = False,
    followed: bool | None = None,
    inner: bool = False,
    right_taken: bool = False,
) -> str | None:
    """The syllable (in any case) with its lost tone back, in lower case, or None to keep it as read.
    `left` and `right`: the neighbouring syllables in lower case, None where punctuation or nothing
    stands. `left_taken`: the left neighbour forms a word with the syllable before it, and is not free
    to form one with this syllable; `left_name`: it is a capitalised word (a name's?) before a
    lower-case syllable, not free where a hat is put back (`Lý Hữu Kiên có` is no `kiên cố`), free
    where a tone above or the hook is (`Hệ thông` -> `Hệ thống`, `Chính phú` -> `Chính phủ`).
    `followed`: a token stands right after it with no punctuation between (`b/c`, `KHCN&ĐMST`); by
    default, if `right` does. `inner`: tokens stand on both sides, so a missing neighbour is
    punctuation or a number, not text unseen (a page's first or last word). `right_taken`: the right
    neighbour forms a word with the syllable after it."""
    low = syllable.lower()
    left_free = not (left_taken or left_name)
    tones, base = split_tone(low)
    parts = syllable_parts(base)
    if parts is None or len(tones) > 1:
        return None
    tone = tones[0] if tones else None
    free_left, free_right = (left if left_free else None), (None if right_taken else right)
    if parts[3] in _STOP_FINALS:
        closed = _closed(base, tone, left, right)
        if closed or tone is None or _forms_word(left, low, right):
            return closed
        other = _marked(base, "nặng" if tone == "sắc" else "sắc")  # `giải quyệt` -> `giải quyết`
        swap = other if other and _forms_word(free_left, other, free_right) else None
        hat = _hat_put_right(low, base, tone, free_left, free_right)  # `KÉT QUẢ`, `hoàn tắt`
        return _only(hat, swap)  # `bát tử`: `bạt tử` or `bất tử`
    if not is_syllable(low):
        return None
    followed = right is not None if followed is None else followed
    function_word = _function_word(low, base, None if left_taken else left, right) if followed else None
    if _forms_word(left, low, right):
        return function_word  # `phối hợp đề hoàn thành`: `hợp đề` is a word, but `hợp` is in `phối hợp`
    speck = not syllable.isupper()  # over a lower-case i or y: a capital I or Y has no dot to be misread
    if speck and tone not in (None, "hỏi") and not parts[1] and parts[2] in ("i", "y"):  # read as a mark
        fits = _bare_fits(low, base, left, right, free_left, free_right)
        return base if fits and not _far_rarer(base, low) else None
    if speck and tone == "hỏi" and parts[1:] in (("", "i", ""), ("", "y", "")):  # the hook was the speck
        return base if _bare_fits(low, base, left, right, left, right) else None
    beside_text = (left and right) or (inner and (left or right))
    if any(ch in _HATTED for ch in base) and (tone is None or (tone in _MISREAD and beside_text)):
        fit = _above_hat(low, base, tone, left, right, left_free=not left_taken, by_count=syllable.islower())
        if fit:  # `ân ý`: `ẩn ý` or `ăn ý`
            return _only(fit, _breve_for_hat(low, base, tone, free_left, free_right))
    if function_word:
        return function_word
    hat = _hat_put_right(low, base, tone, free_left, free_right)
    if syllable.isupper() and base not in _UNIT_TYPES:
        other = _retoned(low, base, free_left, free_right)
    elif tone == "sắc" and not any(ch in _HATTED for ch in base):
        # a capitalised word before it counts too, as in an institution's name (`Chính phú` -> `Chính phủ`)
        other = _hook_read_as_acute(low, base, left, right, None if left_taken else left, free_right)
    else:
        other = None
    return _only(hat, other)  # `ĐAU ĐÀU`: `ĐAU ĐẦU` or `ĐAU ĐÁU`; `tói trời`: `tối` or `tỏi`


def _bare_fits(
    low: str, base: str, left: str | None, right: str | None, fit_left: str | None, fit_right: str | None
) -> bool:
    """The syllable without a tone forms a word with `fit_left` or `fit_right`, no other tone than the
    one read forms one with `left` or `right` (`dỉ vật`: `di vật` or `dị vật`), and the syllable as read
    forms none with the right neighbour under another tone: that one's tone is not settled yet, the
    left one's is (`Vì thể`: `Vì thế`, or `Vi thể`?; `quy định chỉ tiết` -> `chi tiết`)."""
    others = [s for s in _every_tone(base)[1:] if s != low]
    if not _forms_word(fit_left, base, fit_right) or _any_forms_word(left, others, right):
        return False
    return not any(_forms_word(None, low, s) for s in _other_tones(right))


def _other_tones(syllable: str | None) -> list[str]:
    """The letters of `syllable` under each other tone, or none (no syllable where it is None)."""
    if syllable is None:
        return []
    return [s for s in _every_tone(split_tone(syllable)[1]) if s and s != syllable]


def _one_mark_away(base: str) -> list[str]:
    """`base` under each tone, and with one hat or stroke put on or taken off (a/â, e/ê, o/ô, d/đ) under
    each tone."""
    toggled = [base[:i] + _MARK_TOGGLED[c] + base[i + 1 :] for i, c in enumerate(base) if c in _MARK_TOGGLED]
    return [s for b in (base, *toggled) for s in _every_tone(b) if s]


def _far_commoner(syllable: str, left: str | None, right: str | None) -> str | None:
    """The spelling one mark away, written at least COMMON times per word, of a lower-case `syllable`
    the frequency list does not hold and that forms no word with a neighbour (`só` -> `số`; with the
    tone read where the syllable is none of Vietnamese, `đièu` -> `điều`); None where another spelling
    one mark away forms a word with a neighbour (that one may be meant: `chồm hổm` read `chồm hốm`), or
    is nearly as common, or no spelling is that common."""
    frequency = _frequencies()
    if syllable in frequency or _forms_word(left, syllable, right):
        return None
    tones, base = split_tone(syllable)
    spellings = _one_mark_away(base)
    if not is_syllable(syllable):  # no Vietnamese syllable (`đièu`, `quyét`): a hat lost, the tone read stays
        spellings = [s for s in spellings if split_tone(s)[0] == tones]
    spellings.sort(key=lambda s: frequency.get(s, 0.0), reverse=True)
    commonest, runner_up = (frequency.get(s, 0.0) for s in [*spellings, "", ""][:2])
    if commonest < COMMON or runner_up * LEAD > commonest or _any_forms_word(left, spellings[1:], right):
        return None
    return spellings[0]


@cache
def _frequencies() -> dict[str, float]:
    """How often each Vietnamese word (here: syllable) is written, from wordfreq's Vietnamese list."""
    from wordfreq import get_frequency_dict  # imported on first use: it loads its word lists

    return get_frequency_dict("vi")


def _hook_read_as_acute(
    low: str, base: str, left: str | None, right: str | None, free_left: str | None, free_right: str | None
) -> str | None:
    """The hỏi in place of the sắc read on a syllable without a hat (`Phó Chú tịch` -> `Phó Chủ tịch`,
    `nhằm đám bảo` -> `nhằm đảm bảo`), where it forms a word with a free neighbour, no other tone forms
    one with either, and it is not far rarer than the syllable read (RARER_TAKEN)."""
    hook = _marked(base, "hỏi")
    others = [s for s in _every_tone(base) if s != hook]
    if not hook or not _forms_word(free_left, hook, free_right) or _any_forms_word(left, others, right):
        return None
    return None if _far_rarer(hook, low) else hook


def _far_rarer(new: str, read: str) -> bool:
    frequency = _frequencies()
    return frequency.get(new, 0.0) < RARER_TAKEN * frequency.get(read, 0.0)


def _only(first: str | None, second: str | None) -> str | None:
    """The one reading two rules found, None where both found one: neither is then certain."""
    return None if first and second else first or second


def _retoned(low: str, base: str, left: str | None, right: str | None) -> str | None:
    """The one other tone (or none) on the letters read that forms a word with a free neighbour:
    for upper-case words (`BẢO CÁO` -> `BÁO CÁO`, `KẾT QUÁ` -> `KẾT QUẢ`). In running text the
    words that stand alone make it guess wrong (`quy định tại khoản` is not `tài khoản`)."""
    spellings = _every_tone(base)
    if None in spellings:
        return None  # where a tone goes is not certain (`roi`: `rói`?): the one found may not be the only one
    fits = [s for s in spellings if s and s != low and is_syllable(s) and _forms_word(left, s, right)]
    return fits[0] if len(fits) == 1 else None


def _function_word(low: str, base: str, left: str | None, right: str | None) -> str | None:
    """The function word `low` is a misreading of, where no tone on its letters forms a word with a
    neighbour (`đế chế` read `đề chế` stays)."""
    printed = FUNCTION_WORD_MISREAD.get(low)
    others = [s for s in _every_tone(base) if s != printed]
    if printed is None or _any_forms_word(left, others, right):
        return None
    return printed


def _closed(base: str, tone: str | None, left: str | None, right: str | None) -> str | None:
    """A syllable closed by p, t, c or ch: the sắc or the nặng, whichever forms a word, else the sắc."""
    if tone in ("sắc", "nặng") or not (tone or any(ch in _OWN_LETTERS for ch in base)):
        return None
    options = [s for s in (_marked(base, t) for t in ("sắc", "nặng")) if s and is_syllable(s)]
    fits = [s for s in options if _forms_word(left, s, right)]
    return fits[0] if len(fits) == 1 else (options[0] if options else None)


def _above_hat(
    low: str,
    base: str,
    tone: str | None,
    left: str | None,
    right: str | None,
    *,
    left_free: bool,
    by_count: bool,
) -> str | None:
    """The one other tone above a hat that forms a word: with the left neighbour when it is free, or,
    if its syllable is not much rarer, with either neighbour; or, with `by_count` and no neighbour to
    settle it, the one that makes a far commoner syllable."""
    options = [s for s in (_marked(base, t) for t in _ABOVE if t != tone) if s and is_syllable(s)]
    fits = [s for s in options if _forms_word(left, s, right)]
    # the tone under the letter, or none, forming a word too, is as likely (`đông đất`: `động đất`?)
    if fits and _any_forms_word(left, [s for s in (_marked(base, "nặng"), base) if s != low], right):
        return None
    _, held = _lexicon()
    if len(fits) == 1 and (
        (left_free and _forms_word(left, fits[0], None)) or held[_key(fits[0])] >= RARER * held[_key(low)]
    ):
        return fits[0]
    if not fits and tone is None and by_count:
        commoner = [s for s in options if held[_key(s)] >= COMMONER * (held[_key(low)] + 1)]
        if len(commoner) == 1:
            return commoner[0]
    return None


def _hat_lost(base: str, tone: str, left: str | None, right: str | None) -> str | None:
    """The one syllable with a hat on its a, e or o (and the same tone) that forms a word with a
    neighbour the caller holds free: `left` not in a word with the syllable before it, `right` not in
    one with the syllable after (`có ý kiến` stays: `ý kiến` is a word, so not `cố ý`)."""
    options = [_marked(base[:i] + _HATS[c] + base[i + 1 :], tone) for i, c in enumerate(base) if c in _HATS]
    fits = [s for s in options if s and is_syllable(s) and _forms_word(left, s, right)]
    return fits[0] if len(fits) == 1 else None


def _hat_put_right(low: str, base: str, tone: str | None, left: str | None, right: str | None) -> str | None:
    """A hat lost from a, e or o under a tone (`KÉT QUẢ`), or a breve read for a circumflex or back
    (`hoàn tắt`)."""
    if any(ch in _MARKED_VOWELS for ch in base):  # `đói với`: đ is no hat
        return _breve_for_hat(low, base, tone, left, right)
    return _hat_lost(base, tone, left, right) if tone else None


_BREVE_HAT = str.maketrans("ăâ", "âă")


def _breve_for_hat(low: str, base: str, tone: str | None, left: str | None, right: str | None) -> str | None:
    """The circumflex read as the breve, or the other way round (`bằu cử` -> `bầu cử`, `hoàn tắt` ->
    `hoàn tất`), where the other forms a word with a neighbour the caller holds free and is not far
    rarer (RARER_TAKEN)."""
    if ("ă" in base) == ("â" in base):
        return None
    swapped_base = base.translate(_BREVE_HAT)
    swapped = _marked(swapped_base, tone) if tone else swapped_base
    if not swapped or not is_syllable(swapped) or not _forms_word(left, swapped, right):
        return None
    return None if _far_rarer(swapped, low) else swapped


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word[1:].islower()


def _is_closed(word: str) -> bool:
    parts = syllable_parts(split_tone(word.lower())[1])
    return parts is not None and parts[3] in _STOP_FINALS


def restore(words: list[Word]) -> None:
    """Words in reading order take back the tone marks they lost, in place; a word's neighbours are
    the words before and after it, across line ends too. Syllables closed by p, t, c or ch go first:
    their own spelling settles their tone, which then serves as a neighbour (`Tô quôc` -> `Tô quốc`
    -> `Tổ quốc`); the others again while a restored one settles another (`thâm quyên`); last, pairs
    of neighbouring syllables both read with a wrong tone (`Đầu thâu`)."""
    named = places.named(words)
    _restore_pass(words, named, closed=True)
    for _ in range(3):
        if not _restore_pass(words, named, closed=False):
            break
    _both_retoned_pass(words, named)


def _letters_at(parts: list[tuple[str, str, str]], i: int, between: str) -> str | None:
    """The core of token `i` (lead, core, tail), where it is all letters and `between`, the punctuation
    between it and the word in question, is empty."""
    if between or not 0 <= i < len(parts) or not parts[i][1].isalpha():
        return None
    return parts[i][1]


def _both_retoned_pass(words: list[Word], named: set[int]) -> None:
    """Two neighbouring syllables, both read with a wrong tone: `Luật Đầu thâu` -> `Luật Đấu thầu`."""
    parts = [split_punctuation(w.text, _TRIM) for w in words]

    def syllable(i: int, between: str = "") -> str | None:
        core = None if i in named else _letters_at(parts, i, between)
        return core if core and (core.islower() or _capitalised(core) or core.isupper()) else None

    for i in range(len(parts) - 1):
        first, second = syllable(i), syllable(i + 1, parts[i][2] + parts[i + 1][0])
        if not first or not second:
            continue
        if not second.islower() and not (first.isupper() and second.isupper()):
            continue  # two capitalised words may be a name (`Ban Vì sự tiến bộ`, `Thị Hạnh`)
        left = syllable(i - 1, parts[i - 1][2] + parts[i][0]) if i else None
        right = syllable(i + 2, parts[i + 1][2] + parts[i + 2][0]) if i + 2 < len(parts) else None
        pair = _pair_retoned(first.lower(), second.lower(), left and left.lower(), right and right.lower())
        for k, new in zip((i, i + 1), pair or (), strict=False):
            lead, core, tail = parts[k]
            parts[k] = (lead, cased_like(new, core), tail)
            words[k].text = lead + parts[k][1] + tail


def _pair_retoned(first: str, second: str, left: str | None, right: str | None) -> tuple[str, str] | None:
    """The one pair of other tones on both syllables that forms a word, where neither syllable as read
    forms one with a neighbour, one of them is rare (below PAIR_RARE) and neither new one is far rarer
    than the one read (RARER_TAKEN)."""
    if _forms_word(left, first, second) or _forms_word(None, second, right):
        return None
    frequency = _frequencies()
    if min(frequency.get(first, 0.0), frequency.get(second, 0.0)) >= PAIR_RARE:
        return None  # both read are written: `về tính` is no `vệ tinh`, `bán vé` no `bản vẽ`
    pairs, _ = _lexicon()
    fits = [
        (x, y)
        for x in _other_tones(first)
        if is_syllable(x)
        for y in _other_tones(second)
        if is_syllable(y) and (_key(x), _key(y)) in pairs
    ]
    if len(fits) != 1 or _far_rarer(fits[0][0], first) or _far_rarer(fits[0][1], second):
        return None
    return fits[0]


def _restore_pass(words: list[Word], named: set[int], *, closed: bool) -> int:
    """One pass over the closed syllables or the others, with the neighbours as they stand; how many
    words changed."""
    parts = [split_punctuation(w.text, _TRIM) for w in words]

    def neighbour(i: int, between: str) -> str | None:
        letters = _letters_at(parts, i, between)
        return letters and letters.lower()

    def upper_first(i: int) -> bool:
        return 0 <= i < len(parts) and parts[i][1][:1].isupper()

    changed = 0
    for i, (lead, core, tail) in enumerate(parts):
        if not core.isalpha() or i in named or _is_closed(core) != closed:
            continue
        if not (core.islower() or _capitalised(core) or (core.isupper() and len(core) > 1)):
            continue  # mixed case (`ĐăK`) or one capital letter (an initial, a list's `A`)
        left = neighbour(i - 1, lead + (parts[i - 1][2] if i else ""))
        right = neighbour(i + 1, tail + (parts[i + 1][0] if i + 1 < len(parts) else ""))
        if _capitalised(core):  # beside a capitalised word it is in a name: only lower case is a neighbour
            left, right = (None if upper_first(i - 1) else left), (None if upper_first(i + 1) else right)
        before = neighbour(i - 2, parts[i - 1][0] + parts[i - 2][2]) if i >= 2 else None
        taken = before is not None and left is not None and _forms_word(before, left, None)
        after = neighbour(i + 2, parts[i + 1][2] + parts[i + 2][0]) if i + 2 < len(parts) else None
        right_taken = after is not None and right is not None and _forms_word(right, after, None)
        name = core.islower() and i > 0 and parts[i - 1][1][:1].isupper()
        followed = i + 1 < len(parts) and not tail + parts[i + 1][0]
        inner = 0 < i < len(parts) - 1
        new = restored(
            core,
            left,
            right,
            left_taken=taken,
            left_name=name,
            followed=followed,
            inner=inner,
            right_taken=right_taken,
        )
        # a page's first or last word may be cut off; an upper-case one with no mark at all may be a name
        # in English (`THANH XUAN DISTRICT`)
        if new is None and inner and (core.islower() or (core.isupper() and not core.isascii())):
            new = _far_commoner(core.lower(), left, right)
        if new is not None:
            words[i].text = lead + cased_like(new, core) + tail
            changed += 1
    return changed
