"""`sohoa search` and `sohoa kibana export|import` through the real CLI (typer), on the real ES."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.search_fixtures import SearchNames, relevance_index_fixture  # noqa: F401

runner = CliRunner()


@pytest.fixture(name="cli_env")
def cli_env_fixture(monkeypatch: pytest.MonkeyPatch, relevance_index: SearchNames) -> SearchNames:
    monkeypatch.setenv("SOHOA_INDEX_ALIAS", relevance_index.alias)
    monkeypatch.setenv("SOHOA_LEDGER_INDEX", relevance_index.ledger)
    monkeypatch.setenv("SOHOA_PRESIGN_EXPIRY_SECONDS", "600")
    return relevance_index


@pytest.mark.servers
def test_search_json(cli_env: SearchNames) -> None:
    result = runner.invoke(
        app, ["search", "quyet dinh thu hoi dat", "--json", "--limit", "3", "--link-expiry", "99999"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    first = rows[0]
    assert first["key"] == "cau-giay/qd-123-thu-hoi-dat.pdf"
    assert first["doc_number"] == "123/QĐ-UBND" and first["page"] in (1, 2)
    assert first["links_expire_in_seconds"] == 600  # 99999 asked, the setting wins
    for url in first["links"].values():
        assert int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0]) == 600


@pytest.mark.servers
def test_search_text_output_with_filters(cli_env: SearchNames) -> None:
    result = runner.invoke(
        app,
        [
            "search",
            "hộ ông Nguyễn Văn An",
            "--type",
            "QĐ",
            "--unit-old",
            "Dịch Vọng",
            "--from",
            "2024",
            "--no-links",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "123/QĐ-UBND" in result.stdout and "trang 2" in result.stdout
    assert "X-Amz" not in result.stdout


@pytest.mark.servers
def test_search_nothing_found_and_bad_date(cli_env: SearchNames) -> None:
    assert runner.invoke(app, ["search", "xyzzyq", "--no-links"]).exit_code == 1
    bad = runner.invoke(app, ["search", "đất", "--from", "tuần trước"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_kibana_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_INDEX_ALIAS", "my-records")
    out = tmp_path / "objects.ndjson"
    result = runner.invoke(
        app, ["kibana", "export", "--out", str(out), "--link-base", "https://gw.example/o"]
    )
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    view = next(o for o in objects if o["id"] == "sohoa-records")
    assert view["attributes"]["title"] == "my-records"
    # --link-base is the viewer (`sohoa serve`): the record page and its doors, never the bucket
    formats = json.loads(view["attributes"]["fieldFormatMap"])
    assert formats["record_id"]["params"]["urlTemplate"] == "https://gw.example/o/records/{{value}}"
    assert formats["links.original"]["params"]["urlTemplate"] == "https://gw.example/o/open/{{rawValue}}"
    # without it (nor SOHOA_WEB_PUBLIC_URL): links to the object store itself
    monkeypatch.delenv("SOHOA_WEB_PUBLIC_URL", raising=False)
    assert runner.invoke(app, ["kibana", "export", "--out", str(out)]).exit_code == 0
    view = next(
        o for o in map(json.loads, out.read_text(encoding="utf-8").splitlines()) if o["id"] == "sohoa-records"
    )
    formats = json.loads(view["attributes"]["fieldFormatMap"])
    assert "record_id" not in formats and formats["links.original"]["params"]["urlTemplate"].endswith(
        "/{{rawValue}}"
    )


class _FakeKibana(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[dict[str, Any]] = {}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).requests.append(
            {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        )
        data = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(name="fake_kibana")
def fake_kibana_fixture() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _FakeKibana)
    _FakeKibana.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_kibana_import_posts_the_objects(fake_kibana: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_KIBANA_API_KEY", "secret-key")
    _FakeKibana.answer = {"success": True, "successCount": 12, "errors": []}
    result = runner.invoke(app, ["kibana", "import", "--url", fake_kibana, "--space", "luu-tru"])
    assert result.exit_code == 0, result.output
    (req,) = _FakeKibana.requests
    assert req["path"] == "/s/luu-tru/api/saved_objects/_import?overwrite=true"
    assert req["headers"]["kbn-xsrf"] and req["headers"]["authorization"] == "ApiKey secret-key"
    assert req["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="sohoa.ndjson"' in req["body"]
    assert b'"type": "dashboard"' in req["body"]
    assert "secret-key" not in result.output


def test_kibana_import_reports_each_error(fake_kibana: str) -> None:
    _FakeKibana.answer = {
        "success": False,
        "successCount": 10,
        "errors": [
            {"id": "sohoa-dashboard-overview", "type": "dashboard", "meta": {"title": "Số hóa"},
             "error": {"type": "missing_references", "references": [{"type": "lens", "id": "x"}]}},
        ],
    }  # fmt: skip
    result = runner.invoke(app, ["kibana", "import", "--url", fake_kibana])
    assert result.exit_code == 1
    assert "dashboard:sohoa-dashboard-overview" in result.output and "missing_references" in result.output
    assert "lens:x" in result.output


def test_kibana_import_unreachable() -> None:
    result = runner.invoke(app, ["kibana", "import", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "unreachable" in result.output
