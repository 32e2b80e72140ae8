"""A generated set of report annexes with ruled tables, for checking the cell-by-cell table reading
(`ocr/tables.py`) on layouts it was not built on.

    python benchmarks/table_set.py --out DIR [--seed 1] [--pages 12] [--sideways]
    python benchmarks/ocr.py --docs DIR/real-docs --tools tesseract,sohoa        # the pages as rendered
    python benchmarks/photo_set.py --corpus DIR --out DIR2 --seed 21              # ... photographed
    python benchmarks/ocr.py --docs DIR2 --tools tesseract,sohoa

Each page is an A4 at 200 dpi, as `real-docs` holds its documents: an annex heading, a sentence, a ruled
table and a closing sentence. The tables vary in what the real ones vary in: 3-7 columns of drawn
widths, a header row of one to three lines (shaded on half the pages), 4-14 rows, a row-number column
or none, unit names long enough to wrap to two or three lines, decimal commas and percentages, empty
cells, rulings of one to three pixels, three faces. The text of every cell is known, so the set is
scored like `real-docs` (order-free word error against `gt/NAME.txt`); laid out as `DIR/real-docs/`,
`benchmarks/photo_set.py --corpus DIR` photographs it. `--sideways` stores every page turned a quarter,
anticlockwise and clockwise in turn, as a landscape annex comes out of a portrait scanner.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DPI = 200
PAGE = (1654, 2339)  # A4 at 200 dpi
MARGIN = 150
FACES = {
    "liberation-serif": (
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    ),
    "dejavu-serif": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ),
    "dejavu-sans": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
}
TITLES = [
    "KẾT QUẢ THỰC HIỆN CHỈ TIÊU KINH TẾ - XÃ HỘI NĂM 2025",
    "TỔNG HỢP HỒ SƠ THỦ TỤC HÀNH CHÍNH TIẾP NHẬN VÀ GIẢI QUYẾT",
    "DANH SÁCH ĐƠN VỊ HÀNH CHÍNH CẤP XÃ SAU SẮP XẾP",
    "KẾT QUẢ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
    "PHÂN BỔ KINH PHÍ THỰC HIỆN CHUYỂN ĐỔI SỐ",
]
HEADERS = [
    "Đơn vị",
    "Nội dung",
    "Tên đơn vị hành chính",
    "Chỉ tiêu",
    "Kế hoạch năm 2025",
    "Thực hiện",
    "Tỷ lệ (%)",
    "Ghi chú",
    "Điểm tự đánh giá",
    "Điểm thẩm định",
    "Số hồ sơ tiếp nhận",
    "Đã giải quyết đúng hạn",
    "Diện tích (km²)",
    "Dân số (người)",
    "Kinh phí (triệu đồng)",
]
UNITS = [
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Y tế",
    "Sở Xây dựng",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hoá, Thể thao và Du lịch",
    "Sở Nông nghiệp và Môi trường",
    "Văn phòng Ủy ban nhân dân thành phố",
    "Ủy ban nhân dân phường Cầu Giấy",
    "Ủy ban nhân dân phường Nghĩa Đô",
    "Ủy ban nhân dân xã Sóc Sơn",
    "Ủy ban nhân dân phường Hoàn Kiếm",
    "Ủy ban nhân dân xã Bát Tràng",
    "Trung tâm Phục vụ hành chính công",
    "Ban Quản lý các khu công nghiệp và chế xuất",
    "Thanh tra thành phố",
    "Phường Ba Đình (sáp nhập phường Quán Thánh, Trúc Bạch)",
    "Xã Thanh Trì (sáp nhập xã Tả Thanh Oai, Hữu Hòa)",
]
NOTES = ["", "", "", "Đạt", "Vượt kế hoạch", "Chưa đạt", "Bổ sung"]
SENTENCES = [
    "Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 3 năm 2025 của Ủy ban nhân dân thành phố;",
    "Ủy ban nhân dân thành phố tổng hợp kết quả thực hiện như sau:",
    "Các đơn vị có trách nhiệm rà soát, cập nhật số liệu và báo cáo trước ngày 30 tháng 6 năm 2025.",
    "Giao Sở Nội vụ chủ trì, phối hợp với các đơn vị liên quan theo dõi, đôn đốc việc thực hiện.",
]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _number(rng: random.Random, kind: str) -> str:
    if kind == "decimal":
        return f"{rng.uniform(5, 20):.2f}".replace(".", ",")
    if kind == "percent":
        return f"{rng.uniform(40, 100):.2f}%".replace(".", ",")
    return f"{rng.randint(12, 98_000):,}".replace(",", ".")  # thousands with dots, as Vietnamese writes them


def page(rng: random.Random) -> tuple[Image.Image, str]:
    """One annex page and its text."""
    regular, bold = FACES[rng.choice(sorted(FACES))]
    px = round(rng.choice((12, 13)) * DPI / 72)
    font, heavy = ImageFont.truetype(regular, px), ImageFont.truetype(bold, px)
    pitch, pad = round(px * 1.3), round(0.05 * DPI)
    rule = rng.randint(1, 3)
    img = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(img)
    words: list[str] = []

    def write(x: int, y: int, text: str, f: ImageFont.FreeTypeFont = font) -> None:
        draw.text((x, y), text, fill=0, font=f)
        words.append(text)

    y = MARGIN
    title = f"Phụ lục {rng.choice(['I', 'II', 'III', 'IV', 'V'])}"
    for line, f in ((title, heavy), (rng.choice(TITLES), heavy)):
        write(round((PAGE[0] - f.getlength(line)) / 2), y, line, f)
        y += pitch
    y += pitch
    for line in _wrap(rng.choice(SENTENCES), font, PAGE[0] - 2 * MARGIN):
        write(MARGIN, y, line)
        y += pitch
    y += pitch // 2

    numbered = rng.random() < 0.75
    n_data = rng.randint(2, 5)
    headers = (["STT"] if numbered else []) + [rng.choice(HEADERS[:3])] + rng.sample(HEADERS[3:], n_data)
    kinds = [rng.choice(["decimal", "percent", "count", "note"]) for _ in range(n_data)]
    free = PAGE[0] - 2 * MARGIN
    widths = [round(0.07 * free)] if numbered else []
    name_w = round(rng.uniform(0.28, 0.4) * free)
    rest = free - sum(widths) - name_w
    widths += [name_w] + [rest // n_data] * n_data
    rows = [headers]
    for i in range(rng.randint(4, 14)):
        cells = [str(i + 1)] if numbered else []
        cells.append(rng.choice(UNITS))
        cells += [rng.choice(NOTES) if k == "note" else _number(rng, k) for k in kinds]
        rows.append(cells)
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    shaded = rng.random() < 0.5
    top = y
    for r, cells in enumerate(rows):
        f = heavy if r == 0 else font
        wrapped = [_wrap(text, f, widths[c] - 2 * pad) for c, text in enumerate(cells)]
        height = max(len(lines) for lines in wrapped) * pitch + 2 * pad
        if y + height > PAGE[1] - MARGIN - 3 * pitch:
            break
        if r == 0 and shaded:
            draw.rectangle((xs[0], y, xs[-1], y + height), fill=215)
        for c, lines in enumerate(wrapped):
            for k, line in enumerate(lines):
                if not line:
                    continue
                centred = r == 0 or (c == 0 and numbered) or c > (1 if numbered else 0)  # names left
                x = round(xs[c] + (widths[c] - f.getlength(line)) / 2) if centred else xs[c] + pad
                write(x, y + pad + k * pitch, line, f)
        y += height
        draw.rectangle((xs[0], y, xs[-1] + rule - 1, y + rule - 1), fill=0)
    draw.rectangle((xs[0], top, xs[-1] + rule - 1, top + rule - 1), fill=0)
    for x in xs:
        draw.rectangle((x, top, x + rule - 1, y + rule - 1), fill=0)
    y += pitch
    for line in _wrap(rng.choice(SENTENCES), font, PAGE[0] - 2 * MARGIN):
        write(MARGIN, y, line)
        y += pitch
    return img, "\n".join(words) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--sideways", action="store_true", help="every page turned a quarter, both ways in turn")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    root = a.out / "real-docs"
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "gt").mkdir(exist_ok=True)
    for i in range(a.pages):
        img, text = page(rng)
        if a.sideways:
            img = img.transpose(Image.Transpose.ROTATE_90 if i % 2 else Image.Transpose.ROTATE_270)
        name = f"tb{a.seed}-{i + 1:02d}-p1"
        img.convert("RGB").save(root / "images" / f"{name}.png", dpi=(DPI, DPI))
        (root / "gt" / f"{name}.txt").write_text(text, encoding="utf-8")
    print(f"{a.pages} pages in {root}")


if __name__ == "__main__":
    main()
