from pathlib import Path

import pytest

from config.settings import Settings


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No sohoa.toml, no servers.env and no SOHOA_* variables from the caller's environment."""
    for key in list(__import__("os").environ):
        if key.startswith("SOHOA_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOHOA_SERVERS_ENV", str(tmp_path / "servers.env"))
    return tmp_path


def test_defaults_are_local(isolated: Path) -> None:
    s = Settings()
    assert s.es_url == "http://127.0.0.1:9200"
    assert s.s3_url() == "http://127.0.0.1:7070"
    assert s.workers >= 1


def test_environment_beats_toml_beats_servers_env(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (isolated / "servers.env").write_text(
        "SOHOA_ES_URL=http://127.0.0.1:1111\nSOHOA_S3_ENDPOINT=127.0.0.1:2222\n"
    )
    assert Settings().es_url == "http://127.0.0.1:1111"
    (isolated / "sohoa.toml").write_text('es_url = "http://toml:9200"\nworkers = 3\n')
    s = Settings()
    assert (s.es_url, s.workers, s.s3_endpoint) == ("http://toml:9200", 3, "127.0.0.1:2222")
    monkeypatch.setenv("SOHOA_ES_URL", "https://prod:9200")
    assert Settings().es_url == "https://prod:9200"


def test_config_file_can_be_named(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = isolated / "elsewhere.toml"
    cfg.write_text('intake_bucket = "so-noi-vu"\n')
    monkeypatch.setenv("SOHOA_CONFIG", str(cfg))
    assert Settings().intake_bucket == "so-noi-vu"


def test_secrets_never_printed(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_S3_SECRET_KEY", "top-secret-123")
    monkeypatch.setenv("SOHOA_ES_API_KEY", "api-key-456")
    s = Settings()
    shown = repr(s) + str(s) + s.model_dump_json()
    assert "top-secret-123" not in shown and "api-key-456" not in shown
    assert s.s3_secret_key.get_secret_value() == "top-secret-123"


def test_invalid_values_are_refused(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_WORKERS", "0")
    with pytest.raises(ValueError, match="workers"):
        Settings()
