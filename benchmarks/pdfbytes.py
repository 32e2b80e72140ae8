"""Where the bytes of a PDF go: every byte of the file assigned to one part (page images, text layer,
fonts, XMP, output intent, document structure...).

Each top-level object owns the bytes from its offset to the next object's (its dictionary, the
`obj`/`endobj` framing and its stream data). An object stream's bytes are shared among the objects
it holds in proportion to their uncompressed length. What no object owns (header, xref table or
stream, trailer) is `xref and trailer`. Offsets come from `qpdf --show-xref`; roles from walking
the document from its catalog.

    .venv/bin/python benchmarks/pdfbytes.py FILE.pdf [FILE.pdf ...]
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

OUR_FONT = "/GlyphLessFont"


def _xref(path: Path) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], tuple[int, int]]]:
    """(offsets of objects written at top level, {object: (object stream, index)})."""
    out = subprocess.run(["qpdf", "--show-xref", str(path)], capture_output=True, text=True, check=True)
    offsets, packed = {}, {}
    for line in out.stdout.splitlines():
        if m := re.match(r"(\d+)/(\d+): uncompressed; offset = (\d+)", line):
            offsets[(int(m[1]), int(m[2]))] = int(m[3])
        elif m := re.match(r"(\d+)/(\d+): compressed; stream = (\d+), index = (\d+)", line):
            packed[(int(m[1]), int(m[2]))] = (int(m[3]), int(m[4]))
    return offsets, packed


def _roles(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """The role of every object reachable from the catalog, the first found winning."""
    roles: dict[tuple[int, int], str] = {}

    def mark(obj: object, role: str) -> None:
        """`obj` and everything below it not yet marked get `role`."""
        if not isinstance(obj, (Dictionary, Array, Stream)):
            return
        if obj.is_indirect:
            if obj.objgen in roles:
                return
            roles[obj.objgen] = role
        children = obj.as_list() if isinstance(obj, Array) else list(obj.values())
        for child in children:
            if isinstance(child, Dictionary) and child.get("/Type") == Name.Page:
                continue  # a /Parent or /P link back: pages are walked on their own
            mark(child, role)

    root = pdf.Root
    if "/Metadata" in root:
        mark(root.Metadata, "XMP metadata")
    if "/OutputIntents" in root:
        mark(root.OutputIntents, "output intent + ICC")
    if "/Info" in pdf.trailer:
        mark(pdf.trailer.Info, "Info dictionary")
    for page in pdf.pages:
        resources = page.obj.get("/Resources", Dictionary())
        for _, font in resources.get("/Font", Dictionary()).items():
            mark(font, "text-layer font" if font.get("/BaseFont") == OUR_FONT else "page fonts")
        for _, xobj in resources.get("/XObject", Dictionary()).items():
            mark(xobj, "page images" if xobj.get("/Subtype") == Name.Image else "page forms")
        contents = page.obj.get("/Contents")
        streams = contents.as_list() if isinstance(contents, Array) else [contents] if contents else []
        for stream in streams:
            data = stream.read_bytes()
            mark(stream, "text layer" if b"3 Tr" in data else "page content")
        roles.setdefault(page.obj.objgen, "document structure")
    mark(root, "document structure")
    return roles


def breakdown(path: Path) -> dict[str, int]:
    """Bytes of `path` per part; the values add up to the file size."""
    size = path.stat().st_size
    offsets, packed = _xref(path)
    with pikepdf.open(path) as pdf:
        roles = _roles(pdf)
        unpacked_len = {og: len(pdf.get_object(og).unparse()) for og in packed}
    order = sorted(offsets.items(), key=lambda kv: kv[1])
    spans: dict[tuple[int, int], int] = {}
    first = order[0][1] if order else size
    for (og, start), nxt in zip(order, [*[o for _, o in order[1:]], None], strict=True):
        spans[og] = (nxt if nxt is not None else size) - start
    # the last object runs to the end of the file: its tail (xref, trailer) is cut off below
    out: Counter[str] = Counter()
    streams = {n for n, _ in packed.values()}
    for og, span in spans.items():
        if og[0] in streams and og[1] == 0:
            members = [(m, i) for m, (s, i) in packed.items() if s == og[0]]
            total = sum(unpacked_len[m] for m, _ in members) or 1
            for m, _ in members:
                out[roles.get(m, "document structure")] += round(span * unpacked_len[m] / total)
            continue
        out[roles.get(og, "xref and trailer")] += span
    if order:  # header before the first object, and the xref/trailer after the last one's endobj
        last_og, last_start = order[-1]
        with path.open("rb") as fh:
            fh.seek(last_start)
            tail = fh.read()
        end = tail.find(b"endobj")
        if end >= 0:
            cut = len(tail) - (end + len(b"endobj\n"))
            out[roles.get(last_og, "xref and trailer")] -= cut
            out["xref and trailer"] += cut
        out["xref and trailer"] += first
    out["total"] = size
    return dict(out)


def main() -> None:
    for arg in sys.argv[1:]:
        parts = breakdown(Path(arg))
        print(arg)
        for role, n in sorted(parts.items(), key=lambda kv: -kv[1]):
            print(f"  {role:24s} {n:8d}")


if __name__ == "__main__":
    main()
