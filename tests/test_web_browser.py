"""The web application in a real browser (Debian's chromium, driven by Selenium through chromium-driver),
against the real Elasticsearch and S3, on sample scans read by the real OCR.

What an archivist does: log in, search without diacritics, open a record, see page 1 and the search's
words lit in its text, open the original scan through a short-lived link. What an editor does: correct
the document number, find the record by the new number, keep the correction through a forced
reprocess, see the entry in the audit. The review queue lists the worn sample first. And what is
refused: no login, a viewer correcting, a form without its CSRF token, a district identity, a record
of another index.

Screenshots of the record page and the review queue go to a temp folder, or to `docs/` with
SOHOA_SCREENSHOTS=docs (`make screenshots`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from elasticsearch import Elasticsearch
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from config.settings import Settings
from pipeline.run.plan import Mode
from search.corrections import history
from search.indexer import index_records
from storage.districts import Layout
from storage.objects import ObjectStore
from storage.provision import provision, revoke
from storage.upload import upload_dir
from tests.search_fixtures import drop_prefix, make_doc, make_record
from tests.test_districts_s3 import admin_for, secrets_of, wipe
from tests.web_fixtures import (
    PASSWORD,
    BackgroundServer,
    WebNames,
    add_user,
    make_web_indices,
    run_plain_batch,
    web_names,
    web_settings,
)
from web.app import create_app

pytestmark = [pytest.mark.servers, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "scans"
# the scans of this test: a decision with its sidecar, a two-page PDF notice, the worn invitation
SCANS = [
    "cau-giay/2024/qd-123-thu-hoi-dat.png",
    "cau-giay/2024/qd-123-thu-hoi-dat.json",
    "hoan-kiem/2025/tb-07-tiep-cong-dan.pdf",
    "thanh-xuan/2022/gm-15-hop-to-dan-pho.jpg",
]
EXPIRY = 120  # SOHOA_PRESIGN_EXPIRY_SECONDS of this test
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def browser(user_data: Path) -> WebDriver:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("chromium and chromium-driver are not installed: run `make setup` (infra/setup.sh apt)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # headless as root, and no background connections (this machine's network is closed)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1800",
        f"--user-data-dir={user_data}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.implicitly_wait(20)  # a form's answer may still be loading when the next element is looked up
    return driver


class World:
    def __init__(self, names: WebNames, settings: Settings, url: str, intake: str, shots: Path) -> None:
        self.names, self.settings, self.url, self.intake, self.shots = names, settings, url, intake, shots


@pytest.fixture(name="world", scope="module")
def world_fixture(
    settings: Settings, es: Elasticsearch, store: ObjectStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    names = web_names()
    h = names.prefix.rsplit("-", 1)[-1]
    intake, processed = f"web-in-{h}", f"web-out-{h}"
    app_settings = web_settings(
        settings,
        names,
        intake_bucket=intake,
        processed_bucket=processed,
        presign_expiry_seconds=EXPIRY,
        web_cache_dir=tmp_path_factory.mktemp("web-cache"),
    )
    make_web_indices(es, names)
    folder = tmp_path_factory.mktemp("scans")
    for key in SCANS:
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / key, folder / key)
    try:
        upload_dir(store, folder, intake, "")
        outcomes = run_plain_batch(app_settings, es, store, intake, Mode.resume)
        assert [o.state for o in outcomes] == ["indexed"] * 3, [(o.source.key, o.reason) for o in outcomes]
        es.indices.refresh(index=names.alias)
        add_user(es, names, "editor.b", "editor")
        add_user(es, names, "viewer.b", "viewer")
        shots = (
            ROOT / "docs"
            if os.environ.get("SOHOA_SCREENSHOTS") == "docs"
            else tmp_path_factory.mktemp("shots")
        )
        # the session cookie stays Secure: browsers send it to http://localhost (a secure context)
        with BackgroundServer(create_app(app_settings, es, store), host="localhost") as server:
            yield World(names, app_settings, server.url, intake, shots)
    finally:
        drop_prefix(es, names.prefix)
        for bucket in (intake, processed):
            wipe(store, bucket)


@pytest.fixture(name="driver")
def driver_fixture() -> Iterator[WebDriver]:
    profile = Path(tempfile.mkdtemp(prefix="sohoa-chromium-"))
    driver = browser(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_replaced(driver: WebDriver, element: WebElement) -> None:
    """Wait until the page holding `element` has been replaced. Asked while the old document is being
    torn down, Chrome can answer with a plain error ("Node with given id does not belong to the
    document") instead of a stale element: selenium's `staleness_of` lets that escape as a failure."""

    def gone(_: WebDriver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one of these
            return True
        return False

    WebDriverWait(driver, 60).until(gone)


def log_in(driver: WebDriver, world: World, name: str, password: str = PASSWORD) -> None:
    driver.get(f"{world.url}/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    button = driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button")
    button.click()
    # the answer page has replaced the form: a navigation right after would cancel the login
    wait_replaced(driver, button)


def search(driver: WebDriver, world: World, query: str) -> None:
    driver.get(f"{world.url}/")
    box = driver.find_element(By.NAME, "q")
    box.clear()
    box.send_keys(query)
    button = driver.find_element(By.CSS_SELECTOR, "form.search button")
    button.click()
    wait_replaced(driver, button)  # the results page is in


def session_client(driver: WebDriver, world: World) -> httpx.Client:
    """An HTTP client holding the browser's session cookie (to read status codes and redirects)."""
    # the header itself: a cookie jar would not send a Secure cookie over http, nor match `localhost`
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    return httpx.Client(base_url=world.url, follow_redirects=False, timeout=60, headers={"Cookie": cookies})


def heading_says(driver: WebDriver, text: str) -> bool:
    """Wait for the page whose title says `text` (a form's answer may still be loading: the old page's
    heading can go away between finding it and reading it, which Chrome reports as a plain error)."""
    wait = WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,))
    wait.until(lambda d: text in d.find_element(By.TAG_NAME, "h1").text)
    return True


def image_shown(driver: WebDriver, element: object) -> bool:
    return bool(
        driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", element)
    )


def test_archivist_and_editor_in_a_real_browser(
    world: World, driver: WebDriver, es: Elasticsearch, store: ObjectStore
) -> None:
    # a request without a session goes to the login page
    driver.get(f"{world.url}/review")
    assert "/login?next=/review" in driver.current_url

    log_in(driver, world, "editor.b")
    search(driver, world, "thu hoi dat")  # no diacritics
    first = driver.find_element(By.CSS_SELECTOR, "ol.results li.hit a.title")
    assert "123/QĐ-UBND" in first.text
    assert driver.find_elements(By.CSS_SELECTOR, "li.hit .snippet mark")
    first.click()

    # the record page: page 1's image and the search's words lit in its text
    assert "/records/" in driver.current_url
    rid = urlparse(driver.current_url).path.split("/")[2]
    image = driver.find_element(By.CSS_SELECTOR, "#page-view img.page-image")
    assert image.is_displayed() and image_shown(driver, image)
    marks = driver.find_elements(By.CSS_SELECTOR, "#page-view .page-text mark")
    assert marks and any(m.is_displayed() and m.text.lower() == "thu hồi đất" for m in marks)
    assert driver.find_element(By.CSS_SELECTOR, "#field-doc_number td.value").text.startswith("123/QĐ-UBND")
    driver.set_window_size(1400, 3000)  # the whole page: fields, the page viewer and the lit text
    driver.save_screenshot(str(world.shots / "web-record.png"))
    driver.set_window_size(1400, 1800)

    # "Bản quét gốc": a fresh presigned link, limited to the configured lifetime, 200 from the store
    client = session_client(driver, world)
    door = client.get(f"/records/{rid}/scan")
    assert door.status_code == 303 and door.headers["cache-control"] == "no-store"
    link = door.headers["location"]
    query = parse_qs(urlparse(link).query)
    assert int(query["X-Amz-Expires"][0]) == EXPIRY
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - signed_at) < timedelta(minutes=5)
    got = httpx.get(link, timeout=60)
    assert got.status_code == 200
    assert got.content == (SAMPLES / "cau-giay/2024/qd-123-thu-hoi-dat.png").read_bytes()
    # the lifetime is part of the signature: a longer one is refused
    assert (
        httpx.get(link.replace(f"X-Amz-Expires={EXPIRY}", "X-Amz-Expires=604800"), timeout=60).status_code
        == 403
    )
    driver.find_element(By.ID, "open-scan").click()  # the browser follows the same door
    WebDriverWait(driver, 60).until(lambda d: "X-Amz-Expires" in d.current_url)
    assert "X-Amz-Expires" in driver.current_url and "X-Amz-Signature" in driver.current_url

    # the editor corrects the document number
    driver.get(f"{world.url}/records/{rid}")
    row = driver.find_element(By.ID, "field-doc_number")
    row.find_element(By.TAG_NAME, "summary").click()
    value = row.find_element(By.NAME, "value")
    value.clear()
    value.send_keys("124/QĐ-UBND")
    row.find_element(By.NAME, "reason").send_keys("đối chiếu sổ đăng ký văn bản")
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 60).until(lambda d: "saved=doc_number" in d.current_url)  # the answer's page
    assert driver.find_element(By.CSS_SELECTOR, "#field-doc_number td.value").text.startswith("124/QĐ-UBND")
    assert "editor.b" in driver.find_element(By.CSS_SELECTOR, "#field-doc_number td.source").text

    # search finds the new number at once
    search(driver, world, "124/QD-UBND")
    assert driver.find_element(By.CSS_SELECTOR, "ol.results li.hit a.title").text.startswith("124/QĐ-UBND")

    # a forced reprocess keeps the correction (and the machine's new reading beside it)
    first_run = es.get(index=world.names.alias, id=rid)["_source"]["run_id"]
    outcomes = run_plain_batch(world.settings, es, store, world.intake, Mode.force)
    assert [o.state for o in outcomes] == ["indexed"] * 3
    doc = es.get(index=world.names.alias, id=rid)["_source"]
    assert doc["run_id"] != first_run and doc["doc_number"] == "124/QĐ-UBND"
    assert doc["corrections"]["doc_number"]["machine_value"] == "123/QĐ-UBND"
    driver.get(f"{world.url}/records/{rid}")
    assert driver.find_element(By.CSS_SELECTOR, "#field-doc_number td.value").text.startswith("124/QĐ-UBND")
    # the audit index has the entry
    (entry,) = [e for e in history(es, rid, index=world.names.audit) if e.field == "doc_number"]
    assert (entry.by, entry.previous, entry.value) == ("editor.b", "123/QĐ-UBND", "124/QĐ-UBND")

    # the review queue: the worn sample first
    driver.get(f"{world.url}/review")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr[data-record]")
    assert rows and "gm-15-hop-to-dan-pho.jpg" in rows[0].text
    driver.save_screenshot(str(world.shots / "web-review.png"))
    # and its record page marks the page read poorly
    rows[0].find_element(By.TAG_NAME, "a").click()
    assert driver.find_elements(By.CSS_SELECTOR, ".thumbs li.poor") or driver.find_elements(
        By.CSS_SELECTOR, ".review-box.needs"
    )


def test_what_is_refused_in_the_browser(
    world: World, driver: WebDriver, es: Elasticsearch, settings: Settings, store: ObjectStore
) -> None:
    log_in(driver, world, "viewer.b")
    search(driver, world, "tiep cong dan")
    driver.find_element(By.CSS_SELECTOR, "ol.results li.hit a.title").click()
    rid = urlparse(driver.current_url).path.split("/")[2]
    # a viewer sees no correction form, and a correction posted anyway is refused
    assert not driver.find_elements(By.CSS_SELECTOR, "details.fix")
    token = driver.find_element(By.CSS_SELECTOR, "header.top form input[name=csrf_token]").get_attribute(
        "value"
    )
    driver.execute_script(
        """const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
        for (const [k, v] of Object.entries(arguments[1])) {
          const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit();""",
        f"/records/{rid}/corrections",
        {"field": "doc_number", "value": "1/QĐ-UBND", "csrf_token": token},
    )
    assert heading_says(driver, "Không được phép")
    assert session_client(driver, world).post(f"/records/{rid}/corrections", data={}).status_code == 403

    # an editor's form without its CSRF token is refused
    driver.delete_all_cookies()
    log_in(driver, world, "editor.b")
    driver.get(f"{world.url}/records/{rid}")
    form = driver.find_element(By.CSS_SELECTOR, "#field-subject form")
    driver.execute_script("arguments[0].querySelector('input[name=csrf_token]').remove()", form)
    driver.execute_script("arguments[0].submit()", form)
    assert heading_says(driver, "Không được phép")
    assert "CSRF" in driver.find_element(By.TAG_NAME, "main").text

    # a record id of another index: not found
    other = web_names()
    make_web_indices(es, other)
    try:
        doc = make_doc(make_record("khac", ["Số: 77/QĐ-UBND"], bucket=world.intake))
        assert all(r.ok for r in index_records(es, [doc], index=other.alias, refresh="wait_for"))
        driver.get(f"{world.url}/records/{doc['record_id']}")
        assert heading_says(driver, "Không tìm thấy")
        assert session_client(driver, world).get(f"/records/{doc['record_id']}").status_code == 404
    finally:
        drop_prefix(es, other.prefix)

    # a district's upload identity, with its real secret, cannot log in
    driver.delete_all_cookies()
    h = uuid.uuid4().hex[:6]
    layout = Layout(f"test-intake-{h}", f"test-processed-{h}", key_prefix=f"t{h}-")
    admin = admin_for(settings)
    secret = secrets_of(provision(admin, store, layout, ["cau-giay"], pipeline=False))["cau-giay"]
    try:
        log_in(driver, world, layout.district_access_key("cau-giay"), secret)
        assert "không đúng" in driver.find_element(By.CSS_SELECTOR, ".login .error").text
        assert "/login" in driver.current_url
        assert not [c for c in driver.get_cookies() if c["name"] == "sohoa_session" and "user" in c["value"]]
        driver.get(f"{world.url}/")
        assert "/login" in driver.current_url
    finally:
        revoke(admin, store, layout, ["cau-giay"])
        for bucket in (layout.intake_bucket, layout.processed_bucket):
            wipe(store, bucket)


def test_the_object_store_refuses_a_presigned_link_past_its_lifetime(store: ObjectStore, bucket: str) -> None:
    """The doors' links expire because the store enforces the signed lifetime: one signed two minutes
    ago for one minute is refused, the same signed now is served."""
    store.put_bytes(bucket, "scan.png", b"not really a png")
    old = store.client.presigned_get_object(
        bucket,
        "scan.png",
        expires=timedelta(seconds=60),
        request_date=datetime.now(UTC) - timedelta(minutes=2),
    )
    assert httpx.get(old, timeout=30).status_code == 403
    assert httpx.get(store.presign_get(bucket, "scan.png", 60), timeout=30).status_code == 200
