"""Document types of Decree 30/2020/NĐ-CP, appendix III (plus GCN/GXN, common in communes), and the two
legal normative types: (code, Vietnamese name, English name). The metadata extraction finds a type by
its title or code (`pipeline.metadata.doctypes`); the OCR restores the tone marks of a title line
(`ocr.phrases`)."""

from __future__ import annotations

DOC_TYPES: list[tuple[str, str, str]] = [
    # (code, Vietnamese name, English name)
    ("NQ", "Nghị quyết", "Resolution"),
    ("QĐ", "Quyết định", "Decision"),
    ("CT", "Chỉ thị", "Directive"),
    ("QC", "Quy chế", "Regulation"),
    ("QyĐ", "Quy định", "Regulations"),
    ("TC", "Thông cáo", "Communiqué"),
    ("TB", "Thông báo", "Notice"),
    ("HD", "Hướng dẫn", "Guidance"),
    ("CTr", "Chương trình", "Programme"),
    ("KH", "Kế hoạch", "Plan"),
    ("PA", "Phương án", "Scheme"),
    ("ĐA", "Đề án", "Project proposal"),
    ("DA", "Dự án", "Project"),
    ("BC", "Báo cáo", "Report"),
    ("BB", "Biên bản", "Minutes"),
    ("TTr", "Tờ trình", "Submission"),
    ("HĐ", "Hợp đồng", "Contract"),
    ("CĐ", "Công điện", "Official telegram"),
    ("GN", "Bản ghi nhớ", "Memorandum"),
    ("TTh", "Bản thỏa thuận", "Agreement"),
    ("GUQ", "Giấy ủy quyền", "Power of attorney"),
    ("GM", "Giấy mời", "Invitation"),
    ("GGT", "Giấy giới thiệu", "Letter of introduction"),
    ("GNP", "Giấy nghỉ phép", "Leave permit"),
    ("PG", "Phiếu gửi", "Dispatch note"),
    ("PC", "Phiếu chuyển", "Transfer note"),
    ("PB", "Phiếu báo", "Notification slip"),
    ("GCN", "Giấy chứng nhận", "Certificate"),
    ("GXN", "Giấy xác nhận", "Confirmation"),
]
# Legal normative documents (Law on the Promulgation of Legal Documents), not in appendix III, but in
# every archive: a decree of the Government, a circular of a ministry.
LEGAL_TYPES: list[tuple[str, str, str]] = [
    ("NĐ", "Nghị định", "Decree"),
    ("TT", "Thông tư", "Circular"),
]
