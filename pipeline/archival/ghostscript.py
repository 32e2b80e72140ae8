"""The one wrapper around Ghostscript (`gs`): PDF in, PDF/A-2b out. Nothing else runs it.

Used for uploaded PDFs that are not scans (`scanpdf.py` rebuilds those), whose content we cannot
vouch for (fonts not embedded, odd colour spaces): `pdfwrite -dPDFA=2 -dPDFACompatibilityPolicy=1`
rewrites what PDF/A forbids, as OCRmyPDF does. The
sRGB output intent goes in through a PostScript prologue we write ourselves, with the profile inline:
the stock `PDFA_def.ps` of Debian's Ghostscript names an ICC file it then fails to open. Images keep
their quality: JPEG passes through, gray and colour are re-encoded losslessly (Flate), 1-bit as CCITT G4.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

from pipeline.archival.errors import PdfaError

GS = "gs"

_LOSSLESS = [
    "-dPassThroughJPEGImages=true",
    "-dPassThroughJPXImages=true",
    "-dAutoFilterColorImages=false",
    "-dColorImageFilter=/FlateEncode",
    "-dAutoFilterGrayImages=false",
    "-dGrayImageFilter=/FlateEncode",
    "-dMonoImageFilter=/CCITTFaxEncode",
    "-dDownsampleColorImages=false",
    "-dDownsampleGrayImages=false",
    "-dDownsampleMonoImages=false",
]


def _binary() -> str:
    found = shutil.which(GS)
    if not found:
        raise PdfaError(
            "Ghostscript (`gs`) is not installed: apt-get install ghostscript", reason="tool_missing"
        )
    return found


def pdfa_prologue(icc_profile: bytes, name: str = "sRGB") -> str:
    """PostScript that defines the ICC stream and the GTS_PDFA1 output intent with pdfmarks."""
    icc = base64.a85encode(icc_profile, adobe=True).decode("ascii")
    return "\n".join(
        [
            "%!",
            f"/ICCProfile {icc} def",
            "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark",
            "[{icc_PDFA} << /N 3 >> /PUT pdfmark",
            "[{icc_PDFA} ICCProfile /PUT pdfmark",
            "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark",
            "[{OutputIntent_PDFA} <<",
            "  /Type /OutputIntent",
            "  /S /GTS_PDFA1",
            "  /DestOutputProfile {icc_PDFA}",
            f"  /OutputConditionIdentifier ({name})",
            ">> /PUT pdfmark",
            "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark",
            "",
        ]
    )


def to_pdfa(src: Path, out: Path, icc_profile: bytes, workdir: Path, timeout: float = 600.0) -> Path:
    """Convert `src` to PDF/A-2b at `out`. Raises PdfaError with Ghostscript's complaint."""
    prologue = workdir / "pdfa-prologue.ps"
    prologue.write_text(pdfa_prologue(icc_profile), encoding="ascii")
    cmd = [
        _binary(),
        "-dBATCH",
        "-dNOPAUSE",
        "-dSAFER",
        "-dQUIET",
        "-sDEVICE=pdfwrite",
        "-dPDFA=2",
        "-dPDFACompatibilityPolicy=1",
        "-sColorConversionStrategy=RGB",
        "-dAutoRotatePages=/None",
        "-dSubsetFonts=false",  # the glyphless OCR font stays whole: its code-to-glyph map survives
        "-dCompatibilityLevel=1.7",
        *_LOSSLESS,
        f"--permit-file-read={prologue}",
        "-o",
        str(out),
        str(prologue),
        str(src),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PdfaError(f"Ghostscript did not finish in {timeout:.0f} s", reason="timeout") from exc
    # Ghostscript may exit 0 having given up PDF/A ("...reverting to normal PDF output"): read its words
    said = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or "reverting to normal PDF" in said or not out.exists():
        raise PdfaError(
            f"Ghostscript could not make PDF/A: {said[-400:] or proc.returncode}", reason="ghostscript"
        )
    return out
