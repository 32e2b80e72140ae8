"""Writing a set of pages made from corpus samples: each page keeps its source's exact text and
fields under a new id and degradation class, so `score.py` scores the set as it scores the corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def start(out: Path) -> None:
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "gt").mkdir(exist_ok=True)


def add_page(
    out: Path, root: Path, src: dict, nid: str, cls: str, image: str, degradations: list[dict]
) -> dict:
    """The ground truth of page `nid` (its image at `image`, relative to `out`) made from sample `src`
    of the corpus set at `root`; returns its manifest row."""
    gt = json.loads((root / "gt" / f"{src['id']}.json").read_text(encoding="utf-8"))
    gt.update(id=nid, degradation_class=cls, degradations=degradations)
    (out / "gt" / f"{nid}.json").write_text(json.dumps(gt, ensure_ascii=False), encoding="utf-8")
    shutil.copy(root / "gt" / f"{src['id']}.txt", out / "gt" / f"{nid}.txt")
    return dict(src, id=nid, degradation_class=cls, files={"image": image})


def finish(out: Path, manifest: dict, rows: list[dict]) -> None:
    (out / "manifest.json").write_text(
        json.dumps(dict(manifest, samples=rows), ensure_ascii=False, indent=1), encoding="utf-8"
    )
