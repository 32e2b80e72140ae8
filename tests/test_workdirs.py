"""Work folders left by killed runs are swept; live ones and other files are not touched."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipeline.run.job import STALE_WORKDIR_SECONDS, sweep_stale_workdirs


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_only_day_old_sohoa_work_folders_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / "sohoa-abc123"
    (stale / "nested").mkdir(parents=True)
    (stale / "source").write_bytes(b"x" * 100)
    _age(stale, STALE_WORKDIR_SECONDS + 60)
    live = tmp_path / "sohoa-live"
    live.mkdir()
    _age(live, 3600)  # an hour without a page is still a record in progress
    other = tmp_path / "not-ours"
    other.mkdir()
    _age(other, STALE_WORKDIR_SECONDS * 3)
    a_file = tmp_path / "sohoa-file"
    a_file.write_text("not a folder")
    _age(a_file, STALE_WORKDIR_SECONDS * 3)

    assert sweep_stale_workdirs(tmp_path) == 1
    assert not stale.exists()
    assert live.exists() and other.exists() and a_file.exists()
    assert sweep_stale_workdirs(tmp_path) == 0
