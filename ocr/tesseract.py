"""The one wrapper around the `tesseract` program (run through pytesseract). Nothing else runs it.

One call renders TSV (words, boxes, confidences) and, when asked, a one-page searchable PDF from the
same recognition pass. `OMP_THREAD_LIMIT=1`: we run one process per core instead of threads.
"""

from __future__ import annotations

import csv
import errno
import io
import itertools
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from ocr.errors import OcrTimeoutError, PageError, ToolMissingError
from ocr.model import Word
from ocr.quality import is_syllable, split_punctuation

TESSERACT = "tesseract"


@dataclass
class TesseractOutput:
    words: list[Word]
    tsv_path: Path
    pdf_path: Path | None


def _binary() -> str:
    found = shutil.which(TESSERACT)
    if not found:
        raise ToolMissingError("the `tesseract` program is not installed or not on PATH")
    return found


def _call(image: Path, out_base: Path, extension: str, lang: str, config: list[str], timeout: float) -> None:
    """One run of tesseract through pytesseract; its outputs land next to `out_base`. On timeout the
    process is killed (the worker survives); failures become our typed errors."""
    pytesseract.pytesseract.tesseract_cmd = _binary()
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one process per core, not threads (pytesseract passes our env)
    try:
        pytesseract.pytesseract.run_tesseract(
            str(image), str(out_base), extension, lang, shlex.join(config), timeout=timeout
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolMissingError("the `tesseract` program is not installed or not on PATH") from exc
    except pytesseract.TesseractError as exc:
        msg = str(exc.message).strip()[-300:] or f"exit code {exc.status}"
        if "Failed loading language" in msg:
            raise ToolMissingError(f"tesseract language data missing: {msg}") from exc
        raise PageError(f"tesseract failed: {msg}", path=str(image)) from exc
    except RuntimeError as exc:  # pytesseract's "Tesseract process timeout", after killing it
        raise OcrTimeoutError(f"tesseract did not finish in {timeout:.0f} s", path=str(image)) from exc


# The page is handed to Tesseract as an uncompressed BMP: no compression cost on either side, and
# Leptonica reads it in blocks, where it reads a PGM a byte at a time through stdio. Tesseract spends
# 6-14 % less CPU on the same pixels and writes the same TSV (benchmarks/tesseract_input.py).
INPUT_SUFFIX = ".bmp"


def write_input(stem: Path, image: np.ndarray) -> Path:
    """Write `image` where Tesseract reads it: `stem` + INPUT_SUFFIX. cv2.imwrite reports failure by
    returning False; a full temp folder must not read as a bad page."""
    path = stem.with_name(stem.name + INPUT_SUFFIX)
    if not cv2.imwrite(str(path), image):
        raise OSError(errno.ENOSPC, f"cannot write the page image {path} (temp folder full?)")
    return path


def _tessdata(tessdata_dir: Path | str | None) -> list[str]:
    return ["--tessdata-dir", str(tessdata_dir)] if tessdata_dir else []


def recognize(
    image: Path,
    out_base: Path,
    *,
    lang: str = "vie",
    dpi: int | None = 300,
    psm: int = 3,
    pdf: bool = False,
    timeout: float = 300.0,
    tessdata_dir: Path | str | None = None,
) -> TesseractOutput:
    """Recognise one page image; TSV (and the PDF when asked) from a single pass. `dpi` None: Tesseract
    estimates the resolution from the text, as it does on a file without one."""
    # No inverted-text retry: our pages are dark on light, and the retry costs time on every line.
    config = [*_tessdata(tessdata_dir), "--psm", str(psm), "-c", "tessedit_do_invert=0"]
    if dpi:
        config += ["--dpi", str(int(dpi))]
    config += ["-c", "tessedit_create_tsv=1"]  # pytesseract's way to ask for the TSV renderer
    _call(image, out_base, "pdf" if pdf else "", lang, config, timeout)
    tsv_path = out_base.with_suffix(".tsv")
    words = parse_tsv(tsv_path.read_text(encoding="utf-8", errors="replace"))
    pdf_path = out_base.with_suffix(".pdf") if pdf else None
    return TesseractOutput(words, tsv_path, pdf_path)


# The `vie` model now and then reads Đ as the Icelandic eth (Ð, U+00D0), a look-alike that is never
# Vietnamese and that no search for "Đ" (or, folded, "D") would find. On blurred English lines it
# reads f as the florin sign (`oƒ`), an i with a dot too many (`¡is`, `tïn`), N as Ñ, and the slash
# of a document's number as the fraction slash (`195⁄TTr`). None of these is written in the
# documents' Vietnamese or English.
_LOOKALIKES = str.maketrans(
    {
        "\u00d0": "Đ",
        "\u00f0": "đ",
        "\u0189": "Đ",
        "ƒ": "f",
        "Ƒ": "F",
        "ï": "i",
        "¡": None,
        "Ñ": "N",
        "\u2044": "/",
    }
)
# A recipient's dash (`- Lưu: VT.`) read as a tilde on photos; the documents never use one. The
# model has no superscript two: an area's `m²` comes out as `m?` (or `m2`, which stays: it is how
# many documents write it).
_TOKENS = {"~": "-"} | {f"m?{p}": f"m²{p}" for p in ("", ".", ",", ";")}
# On photos the model reads a soft 8 as the section sign (`§56/QĐ-TTg`, `117§/QĐ-BTP`, `§6,67%`), and
# the g of a final ng too (`Hươn§`); the documents never print one (they write `Điều`, `khoản`).
_SECTION_SIGN_G = re.compile(r"(?<=n)§|(?<=N)§")


def _without_section_sign(token: str) -> str:
    if "§" not in token:
        return token
    return _SECTION_SIGN_G.sub(lambda m: "G" if token[m.start() - 1] == "N" else "g", token).replace("§", "8")


# An italic T read as a 7 at a sentence's start (`7rong`, `“7hực hiện`): a 7 before the r of `tr` or
# the h of `th`, the rest lower-case letters that make a syllable with the T. No number is written so
# (`7h30` has digits; a class or house `7a` has no r or h).
_SEVEN_FOR_T = re.compile(r"(?P<lead>[“\"‘(]?)7(?P<rest>[rh][^\W\d_]+)(?P<tail>[.,;:”’)]*)")


def _seven_for_t(token: str) -> str:
    m = _SEVEN_FOR_T.fullmatch(token)
    if m is None or not m["rest"].islower() or not is_syllable("T" + m["rest"]):
        return token
    return m["lead"] + "T" + m["rest"] + m["tail"]


# A closing quote read apart from the word it closes (`hội. ”`, `định ”.`): the documents close a
# quotation on the word, so a token that starts with one belongs to the word before it on its line.
_CLOSING_QUOTES = ("”", "’")
# A marked vowel read in upper case inside a lower-case word (`sỐ`, `vỆ`): the hat and the tone make
# the small letter as tall as a capital. Words like `iHanoi` keep their unmarked capitals.
_MARKED_UPPER = re.compile(r"[ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]")


def _case_slip(token: str) -> str:
    if (
        token[:1].islower()
        and _MARKED_UPPER.search(token)
        and not any(ch.isupper() and not _MARKED_UPPER.match(ch) for ch in token)
    ):
        return token.lower()
    return token


def _small_syllable(token: str) -> bool:
    """A syllable with small letters (`liệu`, `Điểm`), not a code or junk (`Pt`, `iHanoi`)."""
    core = split_punctuation(token)[1]
    return any(ch.islower() for ch in core) and is_syllable(core.lower())


def _small_capitals(words: list[Word]) -> None:
    """An upper-case syllable with a marked vowel whose neighbours on its line (one or two) are
    syllables with small letters (`theo SỐ liệu`, `đơn VỊ, cá nhân`, a table cell's `Điểm SỐ`): hat
    and tone make the small letters as tall as capitals. Beside a word in capitals (`QUYẾT ĐỊNH SỐ`)
    or a code, or alone, it stays."""
    for i, word in enumerate(words):
        lead, core, tail = split_punctuation(word.text)
        if not (len(core) > 1 and core.isupper() and _MARKED_UPPER.search(core)):
            continue
        beside = [words[k] for k in (i - 1, i + 1) if 0 <= k < len(words) and words[k].line == word.line]
        if beside and all(_small_syllable(w.text) for w in beside) and is_syllable(core.lower()):
            word.text = lead + core.lower() + tail


# The stroke of a signature ending beside the signer's name or title is read as an opening quote
# (`“Thang Thị Hạnh`, `"THỨ TRƯỞNG`). The documents open a quotation on a sentence, which runs on or
# closes: none has a short line of capitalised words that opens a quote and does not close it.
_OPENING_QUOTES = ("“", '"')
_NAME_LINE_WORDS = 5


def _is_name_word(token: str) -> bool:
    return token.isalpha() and token[0].isupper() and (token[1:].islower() or token.isupper())


def _drop_signature_quotes(words: list[Word]) -> None:
    for _, on_line in itertools.groupby(words, key=lambda w: w.line):  # a line's words come together
        line = list(on_line)
        first = line[0]
        if len(line) > _NAME_LINE_WORDS or not first.text.startswith(_OPENING_QUOTES):
            continue
        rest = [first.text[1:]] + [w.text for w in line[1:]]
        if all(_is_name_word(token) for token in rest):
            first.text = first.text[1:]


def _attach_closing_quotes(words: list[Word]) -> list[Word]:
    out: list[Word] = []
    for word in words:
        if out and word.text.startswith(_CLOSING_QUOTES) and out[-1].line == word.line:
            prev, (x0, y0, x1, y1) = out[-1], out[-1].bbox
            prev.text += word.text
            prev.bbox = (x0, min(y0, word.bbox[1]), max(x1, word.bbox[2]), max(y1, word.bbox[3]))
            prev.conf = min(prev.conf, word.conf)
        else:
            out.append(word)
    return out


def parse_tsv(text: str) -> list[Word]:
    """Words (level 5) with non-empty text, keeping Tesseract's block/paragraph/line numbers."""
    words: list[Word] = []
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if len(row) < 12 or row[0] != "5":
            continue
        token = row[11].strip().translate(_LOOKALIKES)
        token = _seven_for_t(_case_slip(_without_section_sign(_TOKENS.get(token, token))))
        if not token:
            continue
        left, top, width, height = (int(v) for v in row[6:10])
        words.append(
            Word(
                text=token,
                conf=float(row[10]),
                bbox=(left, top, left + width, top + height),
                line=(int(row[2]), int(row[3]), int(row[4])),
            )
        )
    words = _attach_closing_quotes(words)
    _small_capitals(words)
    _drop_signature_quotes(words)
    return words


def version() -> str:
    """`tesseract 5.3.0`: what `sohoa doctor` shows."""
    pytesseract.pytesseract.tesseract_cmd = _binary()
    return f"tesseract {pytesseract.get_tesseract_version()}"


def require_languages(lang: str, tessdata_dir: Path | str | None = None) -> list[str]:
    """The installed models; raises `ToolMissingError` naming those of `lang` (`vie+eng`) that are not."""
    pytesseract.pytesseract.tesseract_cmd = _binary()
    installed = pytesseract.get_languages(config=shlex.join(_tessdata(tessdata_dir)))
    missing = [m for m in lang.split("+") if m not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{m}" for m in missing)
        raise ToolMissingError(
            f"tesseract model(s) {', '.join(missing)} not installed (have: {', '.join(sorted(installed))})",
            hint=f"apt-get install {packages}, or set SOHOA_TESSDATA_DIR",
        )
    return sorted(installed)


GLYPHLESS_FONT = "pdf.ttf"  # Tesseract's one-glyph font for invisible text layers, shipped in tessdata


def glyphless_font(tessdata_dir: Path | str | None = None) -> Path:
    """Tesseract's glyphless font (`pdf.ttf`): from `tessdata_dir`, $TESSDATA_PREFIX or the folder
    Tesseract itself reports. Raises ToolMissingError naming where it looked."""
    places = [Path(p) for p in (tessdata_dir, os.environ.get("TESSDATA_PREFIX")) if p]
    # `--list-langs` starts with: List of available languages in "/usr/share/tesseract-ocr/5/tessdata/"
    proc = subprocess.run(
        [_binary(), "--list-langs"], capture_output=True, text=True, check=False, timeout=30
    )
    m = re.search(r'"([^"]+)"', proc.stdout + proc.stderr)
    if m:
        places.append(Path(m.group(1)))
    for place in places:
        for candidate in (place / GLYPHLESS_FONT, place / "tessdata" / GLYPHLESS_FONT):
            if candidate.is_file():
                return candidate
    raise ToolMissingError(
        f"Tesseract's {GLYPHLESS_FONT} not found in {', '.join(map(str, places)) or 'any tessdata folder'}"
        " (reinstall tesseract-ocr, or set SOHOA_TESSDATA_DIR)"
    )
