"""OCR many files with one Tesseract process per core: pages of all files go to one process pool.

Pages, not files, are the unit of work, so a single long PDF still uses every core. A PDF page whose
own text can be trusted is read from it (ocr.textlayer) instead of being OCR-ed. Each worker loads
its own page (pdftoppm -f N -l N, TIFF seek), so no page image crosses process boundaries, and at most
`2 x jobs` pages are in flight: memory stays bounded whatever the input size.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from core.cpu import cpu_seconds
from ocr import loader
from ocr.engine import OcrOptions
from ocr.errors import SohoaError
from ocr.model import DocumentResult, PageResult
from ocr.textlayer import read_page_of_file


@dataclass
class FileOutcome:
    path: Path
    result: DocumentResult | None = None
    error: SohoaError | None = None
    seconds: float = 0.0  # summed worker time of its pages
    cpu_seconds: float = 0.0  # summed CPU time of its pages, Tesseract's and pdftoppm's included
    pages: dict[int, PageResult] = field(default_factory=dict)


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _read_page(path: Path, page_no: int, options: OcrOptions) -> PageResult:
    """One page, with the CPU time it cost (`timings["cpu"]`): each worker reads one page at a time,
    so the process's own time and its ended children's over the page are the page's alone."""
    start = cpu_seconds()
    page = read_page_of_file(path, page_no, options)
    page.timings["cpu"] = round(cpu_seconds() - start, 4)
    return page


def ocr_files(paths: Sequence[Path], options: OcrOptions, jobs: int = 1) -> Iterator[FileOutcome]:
    """Yield one FileOutcome per input, as soon as all its pages are done (not in input order)."""
    tasks: list[tuple[int, int]] = []
    outcomes: list[FileOutcome] = []
    expected: dict[int, int] = {}
    for i, p in enumerate(paths):
        outcome = FileOutcome(Path(p))
        outcomes.append(outcome)
        try:
            n = loader.count_pages(p, max_pages=options.max_pages)
        except SohoaError as exc:
            outcome.error = exc
            continue
        outcome.result = DocumentResult(source=str(p), mime=loader.sniff_type(p))
        expected[i] = n
        tasks.extend((i, page) for page in range(1, n + 1))
    for i, outcome in enumerate(outcomes):
        if i not in expected:
            yield outcome

    def finish(i: int) -> FileOutcome:
        o = outcomes[i]
        assert o.result is not None
        o.result.pages = [o.pages[k] for k in sorted(o.pages)]
        o.seconds = sum(p.timings.get("total", 0.0) for p in o.result.pages)
        o.cpu_seconds = sum(p.timings.get("cpu", 0.0) for p in o.result.pages)
        o.pages = {}
        return o

    if jobs <= 1:
        for i, page in tasks:
            outcomes[i].pages[page] = _read_page(paths[i], page, options)
            if len(outcomes[i].pages) == expected[i]:
                yield finish(i)
        return

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
        pending: dict[Future[PageResult], tuple[int, int]] = {}
        queue = iter(tasks)
        while True:
            while len(pending) < 2 * jobs:
                nxt = next(queue, None)
                if nxt is None:
                    break
                pending[pool.submit(_read_page, paths[nxt[0]], nxt[1], options)] = nxt
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i, page = pending.pop(fut)
                try:
                    outcomes[i].pages[page] = fut.result()
                except Exception as exc:  # a crashed worker fails its page, not the batch
                    outcomes[i].pages[page] = PageResult(
                        page_no=page, error=repr(exc), error_reason="page_failed"
                    )
                if len(outcomes[i].pages) == expected[i]:
                    yield finish(i)
