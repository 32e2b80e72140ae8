"""The bundled sample documents: fictitious records of several former Hanoi districts."""

from __future__ import annotations

from samples.render import DocSpec

QD_CAU_GIAY = DocSpec(
    parent_body="UBND QUẬN CẦU GIẤY",
    issuing_body=["ỦY BAN NHÂN DÂN", "PHƯỜNG DỊCH VỌNG"],
    number="123/QĐ-UBND",
    place_date="Cầu Giấy, ngày 03 tháng 4 năm 2024",
    title="QUYẾT ĐỊNH",
    subject="Về việc thu hồi đất của hộ gia đình ông Nguyễn Văn Hùng",
    body=[
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG",
        "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
        "Theo đề nghị của Công chức Địa chính - Xây dựng phường.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Thu hồi 120 mét vuông đất ở của hộ gia đình ông Nguyễn Văn Hùng tại tổ dân phố số 5, "
        "phường Dịch Vọng, để thực hiện dự án mở rộng đường giao thông.",
        "Điều 2. Giao Công chức Địa chính - Xây dựng phường phối hợp với các đơn vị liên quan tổ chức "
        "thực hiện bồi thường, hỗ trợ theo quy định.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký./.",
    ],
    recipients=["Như Điều 3", "UBND quận Cầu Giấy", "Lưu: VT, ĐC"],
    signer=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    signer_name="Trần Minh Đức",
)

CV_DONG_DA = DocSpec(
    parent_body="UBND QUẬN ĐỐNG ĐA",
    issuing_body=["ỦY BAN NHÂN DÂN", "PHƯỜNG VĂN CHƯƠNG"],
    number="45/UBND-VP",
    place_date="Đống Đa, ngày 15 tháng 11 năm 2023",
    title=None,
    subject="V/v cấp giấy phép xây dựng nhà ở riêng lẻ",
    body=[
        "Kính gửi: Ủy ban nhân dân quận Đống Đa",
        "Ủy ban nhân dân phường Văn Chương nhận được đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ "
        "của bà Lê Thị Mai, địa chỉ số 12 ngõ Văn Chương. Sau khi kiểm tra hồ sơ và hiện trạng, phường "
        "đề nghị quận xem xét cấp giấy phép theo quy định./.",
    ],
    recipients=["Như trên", "Lưu: VT"],
    signer=["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
    signer_name="Phạm Thu Hà",
)

TB_HOAN_KIEM = DocSpec(
    parent_body="UBND QUẬN HOÀN KIẾM",
    issuing_body=["ỦY BAN NHÂN DÂN", "PHƯỜNG HÀNG BẠC"],
    number="07/TB-UBND",
    place_date="Hoàn Kiếm, ngày 08 tháng 02 năm 2025",
    title="THÔNG BÁO",
    subject="Về việc tiếp công dân định kỳ tháng 3 năm 2025",
    body=[
        "Ủy ban nhân dân phường Hàng Bạc thông báo lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân "
        "phường vào ngày 15 tháng 3 năm 2025 tại trụ sở Ủy ban nhân dân phường.",
        "Công dân có nhu cầu phản ánh, kiến nghị về đất đai, xây dựng, hộ tịch, cư trú đề nghị mang theo "
        "giấy tờ tùy thân và hồ sơ liên quan./.",
    ],
    recipients=["Các tổ dân phố", "Lưu: VT"],
    signer=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    signer_name="Vũ Quang Huy",
    extra_pages=[
        [
            "Danh sách cán bộ tham gia tiếp công dân gồm đại diện Công chức Tư pháp - Hộ tịch, Công chức Địa "
            "chính - Xây dựng và Công an phường Hàng Bạc.",
            "Ủy ban nhân dân phường đề nghị các tổ dân phố thông báo rộng rãi đến nhân dân được biết./.",
        ]
    ],
)

BC_LONG_BIEN = DocSpec(
    parent_body="UBND QUẬN LONG BIÊN",
    issuing_body=["ỦY BAN NHÂN DÂN", "PHƯỜNG BỒ ĐỀ"],
    number="88/BC-UBND",
    place_date="Long Biên, ngày 20 tháng 6 năm 2025",
    title="BÁO CÁO",
    subject="Kết quả thực hiện thủ tục hành chính 6 tháng đầu năm 2025",
    body=[
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Trong 6 tháng đầu năm 2025, bộ phận một cửa phường Bồ Đề đã tiếp nhận 1.250 hồ sơ thủ tục hành "
        "chính, giải quyết đúng hạn 1.236 hồ sơ.",
        "II. PHƯƠNG HƯỚNG NHIỆM VỤ",
        "1. Tiếp tục số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo quy định./.",
    ],
    recipients=["UBND quận Long Biên", "Lưu: VT"],
    signer=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    signer_name="Đỗ Thị Lan",
)

GM_THANH_XUAN = DocSpec(
    parent_body="UBND QUẬN THANH XUÂN",
    issuing_body=["ỦY BAN NHÂN DÂN", "PHƯỜNG KHƯƠNG TRUNG"],
    number="15/GM-UBND",
    place_date="Thanh Xuân, ngày 12 tháng 9 năm 2022",
    title="GIẤY MỜI",
    subject="Họp các tổ dân phố về công tác vệ sinh môi trường",
    body=[
        "Ủy ban nhân dân phường Khương Trung trân trọng kính mời đại diện các tổ dân phố dự họp về công "
        "tác vệ sinh môi trường trên địa bàn phường.",
        "Thời gian: 8 giờ 00, ngày 15 tháng 9 năm 2022. Địa điểm: hội trường Ủy ban nhân dân phường./.",
    ],
    recipients=["Các tổ dân phố", "Lưu: VT"],
    signer=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    signer_name="Ngô Văn Bình",
)

SAMPLES = {
    # key under the intake bucket -> (spec, format)
    "cau-giay/2024/qd-123-thu-hoi-dat.png": (QD_CAU_GIAY, "png"),
    "dong-da/2023/cv-45-giay-phep-xay-dung.jpg": (CV_DONG_DA, "jpeg"),
    "hoan-kiem/2025/tb-07-tiep-cong-dan.pdf": (TB_HOAN_KIEM, "pdf"),
    "long-bien/2025/bc-88-thu-tuc-hanh-chinh.tif": (BC_LONG_BIEN, "tiff"),
    # a worn copy (samples.render.worn): read with low confidence, first in the review queue
    "thanh-xuan/2022/gm-15-hop-to-dan-pho.jpg": (GM_THANH_XUAN, "worn-jpeg"),
}
