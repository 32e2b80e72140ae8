"""Closed vocabularies of the Decree 30 signature block and its issuing bodies: the signer's
positions, the authority lines above them (`KT.`, `TM.` ...), and the two people's bodies. The OCR
restores the tone marks of lines that spell one of them (`ocr.phrases`); the metadata extraction
finds them in its lines (`pipeline.vocab`)."""

from __future__ import annotations


def phrases(block: str) -> list[str]:
    """Phrases separated by `|` or line ends."""
    return [p.strip() for p in block.replace("\n", " | ").split("|") if p.strip()]


BODIES = ["ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN"]
POSITIONS = phrases(
    """
    CHỦ TỊCH | PHÓ CHỦ TỊCH | GIÁM ĐỐC | PHÓ GIÁM ĐỐC | TỔNG GIÁM ĐỐC | PHÓ TỔNG GIÁM ĐỐC |
    TRƯỞNG PHÒNG | PHÓ TRƯỞNG PHÒNG | CHÁNH VĂN PHÒNG | PHÓ CHÁNH VĂN PHÒNG | TRƯỞNG BAN |
    PHÓ TRƯỞNG BAN | BÍ THƯ | PHÓ BÍ THƯ | CỤC TRƯỞNG | PHÓ CỤC TRƯỞNG | CHI CỤC TRƯỞNG |
    PHÓ CHI CỤC TRƯỞNG | VỤ TRƯỞNG | BỘ TRƯỞNG | THỨ TRƯỞNG | CHÁNH THANH TRA | PHÓ CHÁNH THANH TRA |
    HIỆU TRƯỞNG | PHÓ HIỆU TRƯỞNG | VIỆN TRƯỞNG | ĐỘI TRƯỞNG | TRƯỞNG CÔNG AN | PHÓ TRƯỞNG CÔNG AN |
    THỦ TRƯỞNG | TRƯỞNG TRẠM | KẾ TOÁN TRƯỞNG | CHỦ NHIỆM | PHÓ CHỦ NHIỆM | TRƯỞNG KHOA | CHAIRMAN |
    VICE CHAIRMAN | CHAIRWOMAN | VICE CHAIRWOMAN | DIRECTOR | DEPUTY DIRECTOR | DIRECTOR GENERAL |
    HEAD | DEPUTY HEAD | CHIEF | DEPUTY CHIEF | CHIEF OF OFFICE | SECRETARY
"""
)
AUTHORITY = phrases(
    """
    TM. ỦY BAN NHÂN DÂN | TM. HỘI ĐỒNG NHÂN DÂN | KT. CHỦ TỊCH | KT. GIÁM ĐỐC | KT. TRƯỞNG PHÒNG |
    KT. TRƯỞNG BAN | KT. CHÁNH VĂN PHÒNG | TL. CHỦ TỊCH | TL. GIÁM ĐỐC | TUQ. CHỦ TỊCH |
    TUQ. GIÁM ĐỐC | FOR THE CHAIRMAN | FOR THE DIRECTOR | ON BEHALF OF THE PEOPLE'S COMMITTEE |
    ON BEHALF OF THE PEOPLE'S | ON BEHALF OF THE | ON BEHALF OF
"""
)
