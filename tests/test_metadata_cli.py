"""`sohoa metadata FILE...`: JSON Lines, one object per file, bad files do not stop the run."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app

DOC = """ỦY BAN NHÂN DÂN
PHƯỜNG QUẢNG AN
Số: 12/TB-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Tây Hồ, ngày 08 tháng 5 năm 2024
THÔNG BÁO
Về việc lịch tiếp công dân tháng 5 năm 2024
Ủy ban nhân dân phường Quảng An thông báo lịch tiếp công dân định kỳ trong tháng tại trụ sở.
Nơi nhận:
- UBND quận Tây Hồ;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Đỗ Văn Hùng
"""


def test_metadata_command_json_lines(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text(DOC, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(256)) * 64)
    result = CliRunner().invoke(app, ["metadata", str(good), str(empty), str(garbage)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert [Path(x["file"]).name for x in lines] == ["a.txt", "empty.txt", "garbage.txt"]
    first = lines[0]
    assert first["doc_number"] == "12/TB-UBND"
    assert first["doc_type_code"] == "TB"
    assert first["issue_date"] == "2024-05-08"
    assert first["admin_unit_old"]["commune"] == "Quảng An"
    assert first["admin_unit_old"]["district"] == "Tây Hồ"
    assert "admin_unit_new" in first
    assert first["confidence"]["doc_number"] > 0.5
    for other in lines[1:]:
        assert other["language"] == "unknown"
        assert "doc_number" not in other


def test_metadata_command_missing_file_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["metadata", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "cannot read" in json.loads(result.stdout.splitlines()[0])["error"]


def test_metadata_command_large_file(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    body = "Nội dung báo cáo về công tác quản lý đất đai trên địa bàn phường trong năm.\n"
    with big.open("w", encoding="utf-8") as f:
        f.write(DOC.split("Nơi nhận:")[0])
        for _ in range(50 * 1024 * 1024 // len(body.encode())):
            f.write(body)
        f.write("Nơi nhận:" + DOC.split("Nơi nhận:")[1])
    result = CliRunner().invoke(app, ["metadata", str(big)])
    assert result.exit_code == 0
    meta = json.loads(result.stdout.splitlines()[0])
    assert meta["doc_number"] == "12/TB-UBND"
    assert meta["signer_name"] == "Đỗ Văn Hùng"


def test_metadata_command_writes_exports(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(DOC, encoding="utf-8")
    cfg = tmp_path / "batch.json"
    cfg.write_text(json.dumps({"retention_period": "20 năm", "organ_id": "H26"}), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["metadata", str(doc), "--export-dir", str(out), "--batch-config", str(cfg), "--batch-name", "b7"],
    )
    assert result.exit_code == 0, result.output
    archival = json.loads((out / "b7.archival.json").read_text(encoding="utf-8"))
    assert archival[0]["maintenance"] == "20 năm"
    assert archival[0]["codeNotation"] == "TB-UBND"
    assert archival[0]["numberOfPage"] == 1
    assert (out / "b7.decree30.csv").exists()
