"""Born-digital PDFs like the ones e-office systems issue, for tests and benchmarks: Word-like pages
with embedded TrueType fonts and ToUnicode maps (reportlab, Liberation Serif as Word's Times New
Roman), the broken layers real files have (no ToUnicode, capitals mapped to nothing, stand-in
letters), scanned pages, and PAdES/CMS signatures made with a test CA that this module creates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
A4 = (595.2756, 841.8898)  # points


@dataclass
class Letter:
    """One page of a Decree 30 letter: header in two columns, title, body, closing in two columns."""

    body_left: Sequence[str] = ("ỦY BAN NHÂN DÂN", "QUẬN CẦU GIẤY", "", "Số: 123/QĐ-UBND")
    body_right: Sequence[str] = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "Cầu Giấy, ngày 15 tháng 3 năm 2024",
    )
    title: Sequence[str] = ("QUYẾT ĐỊNH", "Về việc thu hồi đất tại phường Dịch Vọng")
    body: Sequence[str] = (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
        "Xét đề nghị của Trưởng phòng Tài nguyên và Môi trường quận tại Tờ trình",
        "số 45/TTr-TNMT ngày 10 tháng 3 năm 2024 về việc giải thể Hiệp hội rau quả Đà Lạt.",
        "Điều 1. Thu hồi 250 m² đất tại phường Dịch Vọng, quận Cầu Giấy, thành phố Hà Nội.",
        "Điều 2. Ủy ban nhân dân phường Dịch Vọng có trách nhiệm thông báo cho người dân.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân",
        "quận, Trưởng phòng Tài nguyên và Môi trường và các cơ quan liên quan chịu trách",
        "nhiệm thi hành Quyết định này./.",
    )
    closing_left: Sequence[str] = ("Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, TNMT.")
    closing_right: Sequence[str] = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "", "Nguyễn Văn Bình")
    seal: bool = False  # a red seal and a black handwritten signature, as images over the signer block


def seal_image(size: int = 300) -> Image.Image:
    """A red round seal with its ring of text and a star, on a transparent background."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    red = (210, 30, 40, 255)
    d.ellipse((4, 4, size - 4, size - 4), outline=red, width=8)
    d.ellipse((40, 40, size - 40, size - 40), outline=red, width=4)
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Bold.ttf"), 28)
    d.text((size / 2, size / 2), "ỦY BAN NHÂN DÂN", font=font, fill=red, anchor="mm")
    d.text((size / 2, size / 2 + 34), "QUẬN CẦU GIẤY", font=font, fill=red, anchor="mm")
    return img


def signature_image(width: int = 360, height: int = 120) -> Image.Image:
    """A black scribble: loops and strokes, no letters."""
    import math

    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    points = [(20 + t * 3.2, height / 2 + 35 * math.sin(t / 4.0) * math.cos(t / 11.0)) for t in range(0, 100)]
    d.line(points, fill=(15, 15, 20, 255), width=4)
    d.line([(60, 90), (300, 30)], fill=(15, 15, 20, 255), width=3)
    return img


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, style in (("Serif", "Regular"), ("Serif-Bold", "Bold"), ("Serif-Italic", "Italic")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"LiberationSerif-{style}.ttf")))


def _draw_letter(c: Any, letter: Letter) -> None:  # c: a reportlab canvas
    w, h = A4
    left_x, right_x = 150.0, 410.0
    y = h - 60
    for a, b in zip(letter.body_left, letter.body_right, strict=False):
        c.setFont("Serif-Bold", 12.5)
        if a:
            c.drawCentredString(left_x, y, a)
        if b:
            c.drawCentredString(right_x, y, b)
        y -= 16
    y -= 20
    for i, line in enumerate(letter.title):
        c.setFont("Serif-Bold", 14 if i == 0 else 13)
        c.drawCentredString(w / 2, y, line)
        y -= 18
    y -= 12
    c.setFont("Serif", 13)
    for line in letter.body:
        c.drawString(70, y, line)
        y -= 19
    y -= 16
    top = y
    for line in letter.closing_left:
        c.setFont("Serif-Italic" if line.endswith(":") else "Serif", 11)
        c.drawString(70, y, line)
        y -= 14
    y = top
    for line in letter.closing_right:
        c.setFont("Serif-Bold", 13)
        if line:
            c.drawCentredString(right_x, y, line)
        y -= 17
    if letter.seal:
        from reportlab.lib.utils import ImageReader

        c.drawImage(ImageReader(signature_image()), right_x - 60, top - 80, width=120, height=40, mask="auto")
        c.drawImage(ImageReader(seal_image()), right_x - 95, top - 90, width=95, height=95, mask="auto")


def word_pdf(path: Path, pages: Sequence[Letter | Image.Image], *, hidden_text: Sequence[str] = ()) -> Path:
    """A PDF of Letter pages (real text, embedded fonts with ToUnicode) and image pages (scans).
    `hidden_text`: lines of invisible text (render mode 3) on every image page, as a scanner's OCR
    layer, or on a blank page, text nobody can see."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setCreator("Microsoft® Word for Microsoft 365")
    for page in pages:
        if isinstance(page, Letter):
            _draw_letter(c, page)
        else:
            if page is not None:
                c.drawImage(ImageReader(page), 0, 0, width=A4[0], height=A4[1])
            if hidden_text:
                text = c.beginText(70, A4[1] - 80)
                text.setTextRenderMode(3)
                text.setFont("Serif", 13)
                for line in hidden_text:
                    text.textLine(line)
                c.drawText(text)
        c.showPage()
    c.save()
    return path


def scan_image(lines: Sequence[str], dpi: int = 200) -> Image.Image:
    """A page as a scanner gives it: black text on light gray paper, as a gray image."""
    w, h = round(A4[0] / 72 * dpi), round(A4[1] / 72 * dpi)
    img = Image.new("L", (w, h), 235)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), round(13 * dpi / 72))
    y = round(1.0 * dpi)
    for line in lines:
        draw.text((round(0.9 * dpi), y), line, font=font, fill=20)
        y += round(19 * dpi / 72)
    return img


ANNEX_LINES = (
    "PHỤ LỤC",
    "Danh sách các thửa đất bị thu hồi tại phường Dịch Vọng",
    "Thửa số 12, tờ bản đồ số 5, diện tích 120 m², hộ ông Trần Văn Nam.",
    "Thửa số 13, tờ bản đồ số 5, diện tích 130 m², hộ bà Lê Thị Hoa.",
)


def rewrite_tounicode(src: Path, dst: Path, change: Callable[[str], str | None] | None) -> Path:
    """Copy `src` with every font's ToUnicode map rewritten: `change(char)` gives the new text of a
    glyph ('' maps it to nothing, None keeps it); `change=None` removes the maps altogether."""
    writer = PdfWriter(clone_from=PdfReader(str(src)))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/ToUnicode" not in font:
                continue
            if change is None:
                del font[NameObject("/ToUnicode")]
                continue
            cmap = font["/ToUnicode"].get_object()

            def swap(m: re.Match[str]) -> str:
                new = change(bytes.fromhex(m.group(2)).decode("utf-16-be"))
                return m.group(0) if new is None else f"<{m.group(1)}> <{new.encode('utf-16-be').hex()}>"

            data = cmap.get_data().decode("latin-1")
            cmap.set_data(re.sub(r"<([0-9A-Fa-f]{2,4})> <([0-9A-Fa-f]{4,})>", swap, data).encode("latin-1"))
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def drop_capitals(src: Path, dst: Path) -> Path:
    """The layer maps capital letters to nothing: `iệp hội` where the page shows `Hiệp hội`."""
    return rewrite_tounicode(src, dst, lambda ch: "" if ch.isupper() else None)


def stand_in_letters(src: Path, dst: Path) -> Path:
    """The layer gives Ƣ for Ư and Ð for Đ, as some converters' fonts do."""
    table = {"Ư": "Ƣ", "ư": "ƣ", "Đ": "Ð", "đ": "ð"}
    return rewrite_tounicode(src, dst, table.get)


def without_tounicode(src: Path, dst: Path) -> Path:
    return rewrite_tounicode(src, dst, None)


# --- signatures -------------------------------------------------------------------------------------


@dataclass
class TestIdentity:
    """A signer's key and certificate, issued by a self-signed test CA (not a national CA)."""

    key_pem: bytes
    cert_pem: bytes
    ca_cert_pem: bytes


def make_identity(
    signer: str = "Nguyễn Văn Bình",
    organisation: str = "Ủy ban nhân dân quận Cầu Giấy",
    ca_name: str = "sohoa test CA",
    *,
    tsa: bool = False,
) -> TestIdentity:
    """`tsa`: a time-stamping authority's certificate (extended key usage timeStamping)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def name(cn: str, org: str) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        return x509.Name([*attrs, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name_x = name(ca_name, "sohoa tests")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name_x)
        .issuer_name(ca_name_x)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(signer, organisation))
        .issuer_name(ca_name_x)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    )
    if tsa:
        usage = x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING])
        cert = cert.add_extension(usage, critical=True)
    cert = cert.sign(ca_key, hashes.SHA256())
    pem = serialization.Encoding.PEM
    return TestIdentity(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        cert.public_bytes(pem),
        ca.public_bytes(pem),
    )


def sign_pdf(
    src: Path,
    dst: Path,
    identity: TestIdentity,
    *,
    field: str = "Signature1",
    pades: bool = True,
    visible: bool = True,
) -> Path:
    """Sign `src` into `dst` (an incremental update, as e-office systems do): PAdES (`ETSI.CAdES.
    detached`, time in the signature dictionary) or CMS (`adbe.pkcs7.detached`, signingTime attribute)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def der(data: bytes) -> bytes:
        return asn1_pem.unarmor(data)[2]

    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(der(identity.cert_pem)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der(identity.key_pem)),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(der(identity.ca_cert_pem))]
        ),
    )
    subfilter = fields.SigSeedSubFilter.PADES if pades else fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=subfilter, reason="Ký số văn bản", location="Hà Nội"
    )
    box = (380, 60, 560, 130) if visible else None
    spec = fields.SigFieldSpec(field, on_page=-1, box=box) if box else fields.SigFieldSpec(field)
    data = src.read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = io.BytesIO()
    # the e-signature box of the e-office systems: signer and time, in a font with Vietnamese glyphs
    style = TextStampStyle(
        stamp_text="Người ký: %(signer)s\nThời gian ký: %(ts)s",
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(FONT_DIR / "LiberationSerif-Regular.ttf"))
        ),
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, new_field_spec=spec, stamp_style=style)
    pdf_signer.sign_pdf(writer, output=out)
    dst.write_bytes(out.getvalue())
    return dst


def tamper_signed_bytes(src: Path, dst: Path) -> Path:
    """Change one byte inside the signed range (the creator string), same length: digest mismatch."""
    data = src.read_bytes()
    at = data.index(b"Microsoft")
    dst.write_bytes(data[:at] + b"Mikrosoft" + data[at + 9 :])
    return dst


def append_update(src: Path, dst: Path) -> Path:
    """A later incremental update (a changed title): the signature still holds its own revision but
    no longer covers the whole file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(src.read_bytes()))
    info = writer.trailer["/Info"]
    info[generic.NameObject("/Title")] = generic.TextStringObject("sửa sau khi ký")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    dst.write_bytes(out.getvalue())
    return dst


def timestamp_pdf(src: Path, dst: Path, tsa: TestIdentity, at: datetime) -> Path:
    """Add a document timestamp (/DocTimeStamp, RFC 3161) from a test TSA whose clock says `at`."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps
    from pyhanko_certvalidator import ValidationContext

    def der(data: bytes) -> bytes:
        return asn1_pem.unarmor(data)[2]

    ca = asn1_x509.Certificate.load(der(tsa.ca_cert_pem))
    stamper = timestamps.DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(der(tsa.cert_pem)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der(tsa.key_pem)),
        fixed_dt=at,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(src.read_bytes()))
    out = io.BytesIO()
    context = ValidationContext(trust_roots=[ca], allow_fetching=False)
    signers.PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256", validation_context=context, output=out)
    dst.write_bytes(out.getvalue())
    return dst
