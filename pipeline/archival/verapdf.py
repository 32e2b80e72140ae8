"""The one wrapper around veraPDF (`org.verapdf.apps:cli`, a self-contained jar run on Java 17).

`infra/setup.sh verapdf` puts the jar under `.cache/verapdf/`; `SOHOA_VERAPDF_JAR` and
`SOHOA_VERAPDF_JAVA` point elsewhere. One JVM checks a list of files (its start-up costs seconds, the
check itself milliseconds per page), so callers pass everything they have at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.archival.errors import PdfaError, ValidatorMissingError

VERSION = "1.30.2"
FLAVOUR = "2b"
_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FailedRule:
    clause: str
    test: int
    description: str
    failed_checks: int


@dataclass
class Verdict:
    """veraPDF's word on one file."""

    path: str
    compliant: bool
    profile: str = ""
    failed_rules: list[FailedRule] = field(default_factory=list)
    validator: str = f"veraPDF {VERSION} --flavour {FLAVOUR}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.compliant:
            return f"PDF/A-{FLAVOUR} compliant"
        rules = ", ".join(f"{r.clause}-{r.test}" for r in self.failed_rules[:8])
        return f"not PDF/A-{FLAVOUR}: failed rules {rules}"


def jar_path() -> Path:
    return Path(
        os.environ.get("SOHOA_VERAPDF_JAR") or _ROOT / ".cache" / "verapdf" / f"verapdf-cli-{VERSION}.jar"
    )


def java_path() -> str:
    """Java 17 from /usr/lib/jvm (veraPDF's own target), else `java` on PATH."""
    if os.environ.get("SOHOA_VERAPDF_JAVA"):
        return os.environ["SOHOA_VERAPDF_JAVA"]
    for candidate in sorted(Path("/usr/lib/jvm").glob("*17*/bin/java")):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("java")
    if not found:
        raise ValidatorMissingError(
            "no Java for veraPDF: install openjdk-17-jre-headless or set SOHOA_VERAPDF_JAVA"
        )
    return found


def available() -> bool:
    try:
        java_path()
    except ValidatorMissingError:
        return False
    return jar_path().is_file()


def validate(paths: Sequence[Path], *, timeout: float = 600.0) -> list[Verdict]:
    """veraPDF's verdict on each of `paths` (PDF/A-2b), in order. Raises ValidatorMissingError when the
    jar or Java is missing, PdfaError when veraPDF itself fails."""
    if not paths:
        return []
    jar = jar_path()
    if not jar.is_file():
        raise ValidatorMissingError(f"veraPDF is not installed at {jar}: run infra/setup.sh verapdf")
    # veraPDF leaves an empty logs*.log in Java's temp folder (/tmp, whatever TMPDIR says) on every call:
    # one file per record in a batch run. It gets a folder of its own, removed after the call.
    with tempfile.TemporaryDirectory(prefix="sohoa-verapdf-") as java_tmp:
        cmd = [java_path(), f"-Djava.io.tmpdir={java_tmp}", "-jar", str(jar), "--flavour", FLAVOUR]
        cmd += ["--format", "json", *map(str, paths)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfaError(f"veraPDF did not finish in {timeout:.0f} s", reason="timeout") from exc
    # exit code 0: all compliant; 1: some not; 7: some could not be parsed (their job says why). Any
    # exit code with a readable report is a verdict; without one, veraPDF itself failed.
    try:
        jobs = json.loads(proc.stdout)["report"]["jobs"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        said = proc.stderr.strip()[-400:]
        raise PdfaError(f"veraPDF failed (exit {proc.returncode}): {said}", reason="verapdf") from exc
    by_name = {job["itemDetails"]["name"]: job for job in jobs}
    return [_verdict(str(p), by_name.get(str(p))) for p in paths]


def _verdict(path: str, job: dict[str, Any] | None) -> Verdict:
    results = (job or {}).get("validationResult") or []
    if not results:  # parse failure, encrypted file...: veraPDF says so in the job, not as a result
        reason = (job or {}).get("taskException", {}).get("exceptionMessage", "no validation result")
        return Verdict(path, False, failed_rules=[FailedRule("-", 0, str(reason), 0)])
    result = results[0]
    failed = [
        FailedRule(r["clause"], int(r["testNumber"]), r["description"], int(r.get("failedChecks", 0)))
        for r in result.get("details", {}).get("ruleSummaries", [])
        if r.get("status") == "failed"
    ]
    return Verdict(path, bool(result.get("compliant")), result.get("profileName", ""), failed)
