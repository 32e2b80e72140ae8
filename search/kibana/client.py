"""`import_objects`: post the saved objects to Kibana's import API (`/api/saved_objects/_import`)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    ok: bool
    success_count: int
    errors: list[str] = field(default_factory=list)  # one line per object that did not import


def import_objects(
    kibana_url: str,
    ndjson: str,
    *,
    space: str | None = None,
    api_key: str | None = None,
    basic_auth: tuple[str, str] | None = None,
    timeout: float = 60.0,
) -> ImportReport:
    """POST the objects to Kibana's saved-objects import API (overwrite: ids are stable)."""
    base = kibana_url.rstrip("/") + (f"/s/{space}" if space and space != "default" else "")
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="sohoa.ndjson"\r\n'
        f"Content-Type: application/ndjson\r\n\r\n{ndjson}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/saved_objects/_import?overwrite=true",
        data=body,
        method="POST",
        headers={"kbn-xsrf": "sohoa", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    if api_key:
        request.add_header("Authorization", f"ApiKey {api_key}")
    elif basic_auth:
        token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            result = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
        return ImportReport(False, 0, [f"HTTP {exc.code} from {base}: {detail}"])
    except (urllib.error.URLError, OSError) as exc:
        return ImportReport(False, 0, [f"Kibana at {base} unreachable: {exc}"])
    errors = []
    for err in result.get("errors", []):
        kind = err.get("error", {}).get("type", "error")
        missing = err.get("error", {}).get("references") or []
        extra = (
            f" (missing: {', '.join(r.get('type', '') + ':' + r.get('id', '') for r in missing)})"
            if missing
            else ""
        )
        errors.append(
            f"{err.get('type')}:{err.get('id')} {err.get('meta', {}).get('title', '')}: {kind}{extra}"
        )
    return ImportReport(bool(result.get("success")), int(result.get("successCount", 0)), errors)
