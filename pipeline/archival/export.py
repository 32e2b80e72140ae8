"""An export job: records stream in (from the index, in a stable order), files stream out, and a state
file beside the output says how far it got, so a stopped export goes on where it stopped.

Two kinds, one runner:
- `decree30`: the Decree 30/2020 appendix VI list, CSV (UTF-8 with BOM) and/or XLSX, Vietnamese headers;
- `sip`: Circular 05/2025/TT-BNV submission packages (SIP_hoso, E-ARK CSIP): one package per hồ sơ
  with its documents, in a folder named by the package's OBJID, all of one fonds.

Memory is flat in the number of records: rows and files are written as each record comes; what
the end needs (the hồ sơ summaries, their document lists) is O(number of hồ sơ) in the state or
streamed back from per-hồ sơ manifest files. No servers here: the caller hands in the records
and a function that fetches a record's PDF/A.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from pipeline.archival import circular05, mets
from pipeline.exports import DECREE30_APPENDIX_FIELDS, DECREE30_HEADERS_VI, decree30_record, flat_row
from pipeline.record import PIPELINE_VERSION

KINDS = ("decree30", "sip")
Records = Callable[[list[Any] | None], Iterator[tuple[list[Any], dict[str, Any]]]]
FetchPdf = Callable[[Mapping[str, Any], Path], bool]


class ExportStateError(Exception):
    """An unfinished export of another selection is in the way, or its state cannot be read."""


@dataclass
class ExportReport:
    kind: str
    out: Path
    records: int
    resumed_from: int
    files: int = 0  # hồ sơ in the package
    without_pdf: list[str] = field(default_factory=list)  # record keys whose PDF/A is missing
    unfiled: int = 0  # records with no file code (grouped under circular05.UNFILED)

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "out": str(self.out), "without_pdf": self.without_pdf[:100]}


def state_path(out: Path) -> Path:
    return out.with_name(out.name + ".export-state")


# --- the Decree 30 list ---------------------------------------------------------------------------
def decree30_row(record: Mapping[str, Any], config: Mapping[str, Any], ordinal: int) -> dict[str, str]:
    sidecar = record.get("sidecar") or {}
    cfg = {**config, "file_code": circular05.file_code_of(record, config)}
    cfg["doc_order"] = sidecar.get("doc_order") or ordinal
    return flat_row(decree30_record(record, cfg), DECREE30_APPENDIX_FIELDS)


def _csv_header() -> list[str]:
    return [DECREE30_HEADERS_VI[c] for c in DECREE30_APPENDIX_FIELDS]


def xlsx_from_csv(csv_path: Path, xlsx_path: Path) -> None:
    """The same table as XLSX, streamed row by row (openpyxl's write-only mode)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách văn bản")
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append(row)
    book.save(xlsx_path)


# --- the package ----------------------------------------------------------------------------------
_REP = "representations/rep1"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """A file-system and URL safe name for a file code; a short hash keeps changed names apart."""
    safe = _SAFE.sub("_", text).strip("._") or "_"
    return safe if safe == text else f"{safe[:60]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


class PackageLayout:
    """Where everything goes inside one hồ sơ's package (the Circular's SIP_hoso folders)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rep = root / "representations" / "rep1"

    def doc_description(self, name: str) -> Path:
        return self.rep / "metadata" / "descriptive" / f"EAD_DOC_{name}.xml"

    def doc_pdf(self, name: str) -> Path:
        return self.rep / "data" / f"{name}.pdf"

    def file_description(self) -> Path:
        return self.root / "metadata" / "descriptive" / "EAD.xml"


def package_id() -> str:
    """`uuid-<UUID in capitals>`: the Circular's form of a package's OBJID and folder name."""
    return f"uuid-{str(uuid.uuid4()).upper()}"


# --- the runner -----------------------------------------------------------------------------------
class ExportJob:
    """One export with its state. `run()` adds the records the state has not seen, then finishes."""

    def __init__(
        self,
        kind: str,
        out: Path,
        selection: Mapping[str, Any],
        config: Mapping[str, Any],
        *,
        resume: bool = False,
        formats: Iterable[str] = ("xlsx", "csv"),
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown export kind {kind!r} ({', '.join(KINDS)})")
        self.kind, self.out, self.config = kind, out, dict(config)
        self.formats = tuple(formats)
        self.work = out.with_name(out.name + ".export-work")
        self.state_file = state_path(out)
        wanted = {"kind": kind, "selection": dict(selection), "config": self.config}
        if self.state_file.exists():
            state = self._read_state()
            if not resume:
                raise ExportStateError(
                    f"an unfinished export is at {out} ({state['done']} records): run again with --resume "
                    f"to go on, or remove {out}, {self.state_file} and {self.work}"
                )
            if {k: state[k] for k in wanted} != json.loads(json.dumps(wanted, default=str)):
                raise ExportStateError(f"the unfinished export at {out} is of another selection or config")
            self.state = state
            self._truncate()
        else:
            if out.exists():
                raise ExportStateError(f"{out} exists: choose another output or remove it")
            self.state = {
                **json.loads(json.dumps(wanted, default=str)),
                "packages": {},  # file code -> the OBJID (and folder) of its package
                "cursor": None,
                "done": 0,
                "offsets": {},
                "files": {},  # file code -> FileSummary
                "manifests": {},  # file code -> manifest file name in the work folder
                "without_pdf": [],
                "unfiled": 0,
            }
            self.work.mkdir(parents=True)
            if kind == "sip":
                out.mkdir(parents=True)
        self.resumed_from = self.state["done"]

    def layout(self, code: str) -> PackageLayout:
        packages = self.state["packages"]
        if code not in packages:
            packages[code] = package_id()
        return PackageLayout(self.out / packages[code])

    # state ------------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ExportStateError(f"the export state {self.state_file} cannot be read: {exc}") from exc

    def _tracked(self) -> dict[str, Path]:
        """The append-only files and their names in the state."""
        files = {"rows.csv": self.work / "rows.csv"}
        files.update({name: self.work / name for name in self.state["manifests"].values()})
        return files

    def checkpoint(self) -> None:
        """Everything written so far is on disk, and the state says up to where: a stop after this
        loses nothing; a stop before it redoes the records since the last checkpoint."""
        self.state["offsets"] = {name: p.stat().st_size for name, p in self._tracked().items() if p.exists()}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False, default=str), encoding="utf-8")
        tmp.replace(self.state_file)

    def _truncate(self) -> None:
        """Cut the append-only files back to the last checkpoint (rows written after it are redone);
        a hồ sơ first seen after it starts again from nothing."""
        known = set(self.state["manifests"].values())
        for path in self.work.glob("file-*.jsonl"):
            if path.name not in known:
                path.unlink()
        packages = set(self.state["packages"].values())
        for folder in self.out.glob("uuid-*") if self.kind == "sip" else ():
            if folder.name not in packages:  # a package begun after the checkpoint: begun again
                shutil.rmtree(folder)
        for name, path in self._tracked().items():
            size = self.state["offsets"].get(name, 0)
            if path.exists() and path.stat().st_size > size:
                with path.open("r+b") as fh:
                    fh.truncate(size)

    # records ----------------------------------------------------------------------------------
    def _append(self, name: str, text: str) -> None:
        with (self.work / name).open("a", encoding="utf-8", newline="") as fh:
            fh.write(text)

    def add(self, record: Mapping[str, Any], fetch_pdf: FetchPdf | None) -> None:
        code = circular05.file_code_of(record, self.config)
        summary = (
            circular05.FileSummary.from_json(self.state["files"][code])
            if code in self.state["files"]
            else (circular05.FileSummary(code))
        )
        ordinal = summary.documents + 1
        if code == circular05.UNFILED:
            self.state["unfiled"] += 1
        row = decree30_row(record, self.config, ordinal)
        buf = _CsvLine()
        csv.writer(buf).writerow([row[c] for c in DECREE30_APPENDIX_FIELDS])
        self._append("rows.csv", buf.text)
        document = circular05.document_record(record, self.config, code, ordinal)
        if self.kind == "sip":
            self._add_to_package(record, code, document, fetch_pdf)
        summary.add(record, document)
        self.state["files"][code] = summary.to_json()
        self.state["done"] += 1

    def _add_to_package(
        self, record: Mapping[str, Any], code: str, document: Mapping[str, Any], fetch_pdf: FetchPdf | None
    ) -> None:
        layout = self.layout(code)
        name = safe_name(str(document["docId"]))
        if (record.get("sidecar") or {}).get("doc_order"):
            # the sidecar's place in the hồ sơ may be given twice: the record id keeps the files apart
            # (an export-given place is unique in its hồ sơ, and the same again when a resume redoes it)
            name += f"-{_record_id(record)[:8]}"
        description = layout.doc_description(name)
        description.parent.mkdir(parents=True, exist_ok=True)
        description.write_bytes(circular05.to_xml(document, circular05.DOCUMENT_FIELDS))
        rel = lambda p: p.relative_to(layout.rep).as_posix()  # noqa: E731 - paths in the rep's METS
        pdf_ref = None
        pdf = layout.doc_pdf(name)
        pdf.parent.mkdir(parents=True, exist_ok=True)
        if fetch_pdf is not None and fetch_pdf(record, pdf):
            pdf_ref = mets.file_ref(pdf, rel(pdf), "application/pdf")
        else:
            pdf.unlink(missing_ok=True)
            self.state["without_pdf"].append(str(record.get("key")))
        label = str(record.get("doc_number") or record.get("key") or name)
        entry = mets.DocumentEntry(
            name, label, mets.file_ref(description, rel(description), "application/xml"), pdf_ref
        )
        if code not in self.state["manifests"]:
            self.state["manifests"][code] = f"file-{len(self.state['manifests']) + 1:05d}.jsonl"
        self._append(self.state["manifests"][code], json.dumps(entry.to_json(), ensure_ascii=False) + "\n")

    def run(
        self,
        records: Records,
        fetch_pdf: FetchPdf | None = None,
        *,
        progress: Callable[[int], None] | None = None,
        checkpoint_every: int = 50,
    ) -> ExportReport:
        since = 0
        for cursor, record in records(self.state["cursor"]):
            self.add(record, fetch_pdf)
            self.state["cursor"] = cursor
            since += 1
            if since >= checkpoint_every:
                self.checkpoint()
                since = 0
            if progress:
                progress(1)
        self.checkpoint()
        return self.finish()

    # the end ----------------------------------------------------------------------------------
    def _documents(self, code: str) -> Iterator[mets.DocumentEntry]:
        """A hồ sơ's documents, streamed back from its manifest."""
        path = self.work / self.state["manifests"][code]
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                yield mets.DocumentEntry.from_json(json.loads(line))

    def finish(self) -> ExportReport:
        report = ExportReport(
            self.kind,
            self.out,
            self.state["done"],
            self.resumed_from,
            files=len(self.state["files"]),
            without_pdf=list(self.state["without_pdf"]),
            unfiled=self.state["unfiled"],
        )
        if self.kind == "decree30":
            self._finish_table()
        else:
            self._finish_package()
        shutil.rmtree(self.work, ignore_errors=True)
        self.state_file.unlink(missing_ok=True)
        return report

    def _finish_table(self) -> None:
        table = self.work / "table.csv"
        with table.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerow(_csv_header())
            rows = self.work / "rows.csv"
            if rows.exists():
                with rows.open(encoding="utf-8", newline="") as src:
                    shutil.copyfileobj(src, fh)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        suffix = self.out.suffix.lower()
        if suffix == ".csv":
            shutil.copyfile(table, self.out)
        elif suffix == ".xlsx":
            xlsx_from_csv(table, self.out)
        else:  # a folder: both
            self.out.mkdir(parents=True, exist_ok=True)
            if "csv" in self.formats:
                shutil.copyfile(table, self.out / "decree30.csv")
            if "xlsx" in self.formats:
                xlsx_from_csv(table, self.out / "decree30.xlsx")

    def _finish_package(self) -> None:
        fonds = circular05.fonds_record(self.config)
        for code in sorted(self.state["manifests"]):
            self._finish_one_package(code, fonds)
        report = self.out / "export-report.json"
        report.write_text(json.dumps(self._documentation(), ensure_ascii=False, indent=1), encoding="utf-8")

    def _finish_one_package(self, code: str, fonds: Mapping[str, Any]) -> None:
        """One hồ sơ's package: its EAD.xml, the schemas, the representation's METS and the package's."""
        layout = self.layout(code)
        root, objid = layout.root, self.state["packages"][code]
        rel = lambda p: p.relative_to(root).as_posix()  # noqa: E731 - paths in the package's METS
        summary = circular05.FileSummary.from_json(self.state["files"][code])
        values = circular05.file_record(summary, self.config)
        ead = layout.file_description()
        ead.parent.mkdir(parents=True, exist_ok=True)
        ead.write_bytes(circular05.to_xml(values, circular05.FILE_FIELDS))
        schemas = []
        for name in mets.SCHEMA_FILES:
            dest = root / "schemas" / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(mets.schema_folder() / name, dest)
            schemas.append(mets.file_ref(dest, rel(dest), "application/octet-stream"))
        label = str(values.get("title") or code)
        docs = root / "documentation" / "export-report.json"
        docs.parent.mkdir(parents=True, exist_ok=True)
        docs.write_text(
            json.dumps(self._package_documentation(code, summary.documents), ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        rep_mets = layout.rep / "METS.xml"
        rep_mets.parent.mkdir(parents=True, exist_ok=True)
        header = mets.Header(PIPELINE_VERSION, fonds, file_code=code)
        mets.write_representation_mets(rep_mets, label, lambda: self._documents(code), header)
        mets.write_package_mets(
            root / "METS.xml",
            objid,
            label,
            mets.file_ref(ead, rel(ead), "application/xml"),
            mets.file_ref(rep_mets, rel(rep_mets), "application/xml"),
            [mets.file_ref(docs, rel(docs), "application/json")],
            schemas,
            header,
        )

    def _documentation(self) -> dict[str, Any]:
        """What the export holds and where its values came from: for the archive that receives it."""
        return {
            **self._provenance(),
            "records": self.state["done"],
            "packages": {self.state["packages"][c]: c for c in sorted(self.state["manifests"])},
            "records_without_pdfa": self.state["without_pdf"],
            "records_without_file_code": self.state["unfiled"],
        }

    def _package_documentation(self, code: str, records: int) -> dict[str, Any]:
        """One package's part of it: its hồ sơ, its count, and where its values came from (not the
        whole export's lists, which would be written again into every package)."""
        return {**self._provenance(), "file_code": code, "records": records}

    def _provenance(self) -> dict[str, Any]:
        return {
            "software": f"sohoa {PIPELINE_VERSION}",
            "selection": self.state["selection"],
            "batch_config": {k: v for k, v in self.config.items() if k != "files"},
            "layout": {
                "package (one hồ sơ, SIP_hoso)": "<OBJID>/",
                "hồ sơ": "<OBJID>/metadata/descriptive/EAD.xml",
                "tài liệu": f"<OBJID>/{_REP}/metadata/descriptive/EAD_DOC_<docId>.xml",
                "PDF/A-2b": f"<OBJID>/{_REP}/data/<docId>.pdf",
            },
            "description_format": "Circular 05/2025/TT-BNV simpledc elements and codes (docs/archival.md)",
        }


def _record_id(record: Mapping[str, Any]) -> str:
    return str(record.get("record_id") or hashlib.sha256(str(record.get("key")).encode()).hexdigest())


class _CsvLine:
    """csv.writer into a string (one row)."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s
