"""Circular 05/2025/TT-BNV descriptive files of a hồ sơ package: the elements in the Circular's order,
its codes and its date format, from readable values and from the codes themselves."""

from __future__ import annotations

from lxml import etree

from pipeline.archival import circular05
from pipeline.metadata.doctypes import CV, DOC_TYPES

RECORD = {
    "doc_type": "Quyết định",
    "doc_type_code": "QĐ",
    "doc_number_seq": "130",
    "doc_symbol": "QĐ-UBND",
    "issue_date": "2024-03-01",
    "issuing_body": "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG",
    "subject": "Về việc thu hồi đất",
    "language": "vi",
    "n_pages": 2,
    "sidecar": {"retention_period": "Vĩnh viễn"},
}


def test_the_elements_are_the_circulars_in_its_order() -> None:
    assert circular05.FILE_FIELDS[:3] == ["fileCode", "title", "maintenance"]
    assert len(circular05.FILE_FIELDS) == 18 and circular05.FILE_FIELDS[-1] == "description"
    assert len(circular05.DOCUMENT_FIELDS) == 21
    assert circular05.DOCUMENT_FIELDS[:4] == ["docId", "docCode", "maintenance", "typeName"]
    assert circular05.DOCUMENT_FIELDS[-2:] == ["process", "description"]


def test_a_document_is_written_with_the_circulars_codes_and_dates() -> None:
    config = {"access_mode": "Công khai", "physical_state": "Tốt", "risk_recovery": "có"}
    doc = circular05.document_record(RECORD, config, "H26.21.2024.01", 3)
    assert (doc["docId"], doc["docCode"]) == ("H26.21.2024.01.3", "H26.21.2024.01.0000003")
    assert doc["typeName"] == "02" and doc["language"] == "01"
    assert doc["issuedDate"] == "01/03/2024"
    assert (doc["maintenance"], doc["mode"], doc["confidenceLevel"]) == ("01", "01", "02")
    assert (doc["format"], doc["riskRecovery"], doc["riskRecoveryStatus"]) == ("01", "1", None)
    assert (doc["codeNumber"], doc["codeNotation"], doc["numberOfPage"]) == ("130", "QĐ-UBND", 2)
    xml = etree.fromstring(circular05.to_xml(doc, circular05.DOCUMENT_FIELDS))
    assert xml.tag == "simpledc" and xml.nsmap == {}
    assert [c.tag for c in xml] == circular05.DOCUMENT_FIELDS
    assert xml.findtext("issuedDate") == "01/03/2024" and xml.find("process").text is None


def test_every_type_we_read_has_a_circular_code() -> None:
    codes = {code for code, _, _ in [*DOC_TYPES, CV]}
    mapped = {c: circular05.TYPE_NAME_CODES.get(c, circular05.OTHER_TYPE) for c in codes}
    assert set(mapped.values()) <= {f"{n:02d}" for n in range(1, 33)}
    # all but the certificates (no code of their own in the Circular: 32, Khác) have their own
    assert {c for c, v in mapped.items() if v == circular05.OTHER_TYPE} == {"GCN", "GXN"}
    assert len(set(circular05.TYPE_NAME_CODES.values())) == len(circular05.TYPE_NAME_CODES)
    decree = circular05.document_record({**RECORD, "doc_type_code": "NĐ"}, {}, "HS", 1)
    assert decree["typeName"] == circular05.OTHER_TYPE
    unknown = circular05.document_record({"language": "en"}, {}, "HS", 1)
    assert unknown["typeName"] is None and unknown["language"] == "02"


def test_codes_given_as_codes_stay_and_unknown_words_are_not_guessed() -> None:
    config = {"retention_period": "05", "access_mode": "3", "confidence_level": "Gốc điện tử"}
    doc = circular05.document_record({}, config, "HS", 1)
    assert (doc["maintenance"], doc["mode"], doc["confidenceLevel"]) == ("05", "03", "01")
    odd = circular05.document_record({}, {"retention_period": "15 năm theo quy chế"}, "HS", 1)
    assert odd["maintenance"] == "15 năm theo quy chế"  # written as given: the archive sees it


def test_a_hoso_is_described_from_its_documents() -> None:
    summary = circular05.FileSummary("H26.21.2024.01")
    for day, lang in (("2024-04-03", "vi"), ("2024-03-01", "en")):
        record = {**RECORD, "issue_date": day, "language": lang}
        summary.add(record, circular05.document_record(record, {}, summary.code, summary.documents + 1))
    values = circular05.file_record(summary, {"files": {"H26.21.2024.01": {"file_title": "Hồ sơ đất đai"}}})
    assert list(values) == circular05.FILE_FIELDS
    assert (values["fileCode"], values["title"], values["totalDoc"], values["numberOfPage"]) == (
        "H26.21.2024.01", "Hồ sơ đất đai", 2, 4,
    )  # fmt: skip
    assert (values["startDate"], values["endDate"]) == ("01/03/2024", "03/04/2024")
    assert values["language"] == "06"  # Việt - Anh
    assert values["maintenance"] == "01" and values["confidenceLevel"] == "02"


def test_the_confidence_level_follows_where_the_text_came_from() -> None:
    born_digital = {**RECORD, "text_sources": ["text_layer"]}
    mixed = {**RECORD, "text_sources": ["ocr", "text_layer"]}
    levels = [
        circular05.document_record(r, {}, "HS", 1)["confidenceLevel"] for r in (RECORD, born_digital, mixed)
    ]
    assert levels == ["02", "01", "03"]  # Số hóa, Gốc điện tử, Hỗn hợp
    said = circular05.document_record(born_digital, {"confidence_level": "Số hóa"}, "HS", 1)
    assert said["confidenceLevel"] == "02"  # what the batch says wins
    summary = circular05.FileSummary("HS")
    for record in (born_digital, born_digital):
        summary.add(record, circular05.document_record(record, {}, "HS", summary.documents + 1))
    assert circular05.file_record(summary, {})["confidenceLevel"] == "01"
    summary.add(RECORD, circular05.document_record(RECORD, {}, "HS", 3))
    restored = circular05.FileSummary.from_json(summary.to_json())
    assert circular05.file_record(restored, {})["confidenceLevel"] == "03"
