"""Lines rebuilt from Tesseract's word boxes (`ocr.layout`): a box that one speck, one tone mark or a
signature stretches must not join printed lines into one."""

from __future__ import annotations

import random
from pathlib import Path

import cv2

from ocr import layout
from ocr.engine import OcrOptions, ocr_image
from ocr.model import Word
from tests.fixtures.ocr.pages import BODY


def _line_of_words(text: str, x0: int, y0: int, line: int, height: int = 30) -> list[Word]:
    words, x = [], x0
    for token in text.split():
        words.append(Word(token, 95.0, (x, y0, x + 22 * len(token), y0 + height), (1, 1, line)))
        x += 22 * len(token) + 14
    return words


def test_a_word_stretched_by_a_speck_does_not_join_its_line_to_the_next() -> None:
    """A speck joined to one word (or a seal's stroke, or a tone mark's box) stretches that word's
    box into the line below. The lines stay two, in their order: the short one below is not read
    first because it starts further left (seen on a generated bad scan, `benchmarks/scan_set.py`)."""
    upper = _line_of_words("Phòng tài nguyên và môi trường thông báo để các tổ chức, cá", 412, 1481, 1)
    lower = _line_of_words("nhân biết, thực hiện./.", 345, 1518, 2)
    stretched = upper[5]
    upper[5] = Word(stretched.text, 52.0, (*stretched.bbox[:3], 1534), stretched.line)
    for band in (upper, lower):  # a Tesseract line per printed line, as it reads them
        assert len({w.line for w in band}) == 1
    assert layout.order_lines(upper + lower) == [
        "Phòng tài nguyên và môi trường thông báo để các tổ chức, cá",
        "nhân biết, thực hiện./.",
    ]


def test_a_signature_read_as_words_does_not_bridge_the_recipients_into_one_line() -> None:
    """A signature read as `\\ 2A`, as tall as three of the recipients' lines beside it, stays in
    the signer's column; the recipients stay one a line, in their order."""
    recipients = [
        "- Công an phường Văn Miếu;",
        "- Chủ tịch, các PCT UBND;",
        "- UBND phường Văn Miếu;",
        "- Lưu: VT.",
    ]
    words = _line_of_words("Nơi nhận:", 343, 1580, 1) + _line_of_words("TRƯỞNG PHÒNG", 1003, 1574, 1)
    for i, line in enumerate(recipients):
        words += _line_of_words(line, 344, 1639 + 29 * i, 2 + i, height=26)
    words += [Word(t, 60.0, (x, 1644, x + 90, 1742), (1, 1, 4)) for t, x in (("\\", 994), ("2A", 1116))]
    words += _line_of_words("Đinh Minh Hữu Toàn", 975, 1801, 9)
    assert layout.order_lines(words) == [
        "Nơi nhận:",
        *recipients,
        "TRƯỞNG PHÒNG",
        "\\ 2A",
        "Đinh Minh Hữu Toàn",
    ]


def test_closing_block_of_a_bad_scan_read_line_by_line_by_real_tesseract() -> None:
    """The closing block of a generated bad scan (`benchmarks/scan_set.py`, seed 41), as the engine
    hands it to Tesseract: a speck stretches `trường` into the line below, and Tesseract reads the
    signature as `\\ 2A`, as tall as three recipients. Each printed line comes out whole, in order."""
    crop = cv2.imread(str(Path(__file__).parent / "fixtures" / "ocr" / "closing-block-bad-scan.png"), 0)
    lines = ocr_image(crop, OcrOptions(preprocess=False), dpi_hint=200).text.splitlines()
    printed = [
        "Phòng tài nguyên và môi trường thông báo để các tổ chức, cá",
        "nhân biết, thực hiện./.",
        "Nơi nhận:",
        "- Cổng thông tin điện tử;",
        "- Công an phường Văn Miếu;",
        "- Chủ tịch, các PCT UBND;",
        "- UBND phường Văn Miếu;",
        "- Lưu: VT.",
    ]
    assert [line for line in lines if line in printed] == printed


def _column(rng: random.Random, height: int) -> tuple[list[str], list[Word]]:
    """A column of printed lines of three words or more: paragraphs' first lines indented, their last
    lines short, at a line pitch of 1.2-1.6 heights. Each line is a Tesseract line of its own."""
    printed, words, y = [], [], 200
    pitch = round(height * rng.uniform(1.2, 1.6))
    for n in range(rng.randint(4, 12)):
        tokens = rng.choice(BODY).split()
        first, last = n % 4 == 0, n % 4 == 3
        text = " ".join(tokens[: rng.randint(3, 5)] if last else tokens)
        printed.append(text)
        words += _line_of_words(text, 300 + (120 if first else 0), y, n + 1, height)
        y += pitch
    return printed, words


def _stretched(word: Word, up: int, down: int) -> Word:
    x0, y0, x1, y1 = word.bbox
    return Word(word.text, 50.0, (x0, y0 - up, x1, y1 + down), word.line)


def test_a_column_of_lines_stays_in_order_whatever_one_word_a_line_is_stretched_by() -> None:
    """Over a generated sweep: one word of any line stretched down by up to a pitch and a half (a
    speck in the gap below, a stroke of the signature), or up by a tone mark's height, and a
    signature beside the column as tall as two to five lines: every printed line comes out whole, in
    its order."""
    for seed in range(300):
        rng = random.Random(seed)
        height = rng.randint(20, 50)
        printed, words = _column(rng, height)
        by_line: dict[tuple[int, int, int], list[int]] = {}
        for i, w in enumerate(words):
            by_line.setdefault(w.line, []).append(i)
        for indices in by_line.values():
            if rng.random() < 0.5:
                i = rng.choice(indices)
                up, down = rng.choice([(rng.uniform(0.2, 0.6), 0.0), (0.0, rng.uniform(0.2, 2.2))])
                words[i] = _stretched(words[i], round(up * height), round(down * height))
        if rng.random() < 0.5:
            top = words[rng.randrange(len(words))].bbox[1]
            tall = round(rng.uniform(2.2, 5.0) * height)
            x = max(w.bbox[2] for w in words) + 3 * height  # beside the lines, as a signer's block is
            words += [
                Word(t, 40.0, (x + 160 * k, top, x + 160 * k + 120, top + tall), (9, 1, 1))
                for k, t in enumerate(["\\", "2A"])
            ]
        lines = layout.order_lines(words)
        assert [line for line in lines if line in printed] == printed, f"seed {seed}"
