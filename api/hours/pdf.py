"""The certificate as a PDF (reportlab): Chinese text that renders and can be extracted.

Font: a TrueType CJK font, embedded as a subset (only the glyphs used), so the PDF looks
the same in every viewer, WeChat's included. ``CERTIFICATE_FONT_PATH`` names one; without
it the first of Debian's CJK TrueType fonts found is used (``fonts-wqy-zenhei``, which
``.ci/run`` installs). reportlab writes a ToUnicode map for the subset, so text extraction
(pypdf, pdftotext, copy and paste) gives the characters back. When no such font exists the
PDF falls back to the standard CID font STSong-Light (not embedded: the viewer supplies a
Song face; extraction still works through its UCS-2 encoding).
"""

import io
from functools import lru_cache
from pathlib import Path

from flask import current_app
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from api.hours.models import Certificate, CertificateStatus

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
EMBEDDED_FONT = "CertificateCJK"
CID_FONT = "STSong-Light"


@lru_cache(maxsize=4)
def _register_font(path: str) -> str:
    """Register the font once per process (parsing a CJK font takes about half a second)."""
    for candidate in [path] if path else FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, candidate, subfontIndex=0))
            return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def certificate_font() -> str:
    """The name of the registered CJK font certificates are set in."""
    return _register_font(current_app.config.get("CERTIFICATE_FONT_PATH", ""))


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _hours_text(minutes: int) -> str:
    return f"{minutes // 60} 小时 {minutes % 60} 分钟"


def render_certificate(certificate: Certificate, url: str) -> bytes:
    """The certificate's PDF, from its snapshot; ``url`` is its verification address."""
    font = certificate_font()
    snapshot = certificate.snapshot
    issuer = snapshot["issuer"]
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=30, alignment=TA_CENTER)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=14)

    identity = f"（身份证号 {snapshot['id_number']}）" if snapshot.get("id_number") else ""
    story = [
        Paragraph("志愿服务记录证明", title),
        Paragraph(f"证明编号：{certificate.number}", small),
        Spacer(1, 6 * mm),
        Paragraph(
            f"兹证明志愿者 {snapshot['name']}{identity} 于 {snapshot['first_date']} 至 "
            f"{snapshot['last_date']} 期间参加志愿服务活动 {snapshot['activity_count']} 项，"
            f"经审核累计志愿服务时长 {snapshot['total_hours']} 小时"
            f"（{_hours_text(snapshot['total_minutes'])}）。",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    if certificate.status == CertificateStatus.REVOKED:
        story.append(Paragraph("本证明已作废。", body))
    rows = [[Paragraph(text, cell) for text in ("日期", "活动", "时长（小时）")]]
    for line in snapshot["activities"]:
        rows.append(
            [
                Paragraph(line["date"], cell),
                Paragraph(line["title"], cell),
                Paragraph(f"{line['minutes'] * 100 // 60 / 100}", cell),
            ]
        )
    listed = len(snapshot["activities"])
    if snapshot["activity_count"] > listed:
        rows.append(
            [
                Paragraph("", cell),
                Paragraph(f"另有较早的 {snapshot['activity_count'] - listed} 项活动", cell),
                Paragraph("", cell),
            ]
        )
    table = Table(rows, colWidths=[30 * mm, 110 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 8 * mm)]
    signature = [
        f"出具单位：{issuer['unit_name']}",
        f"负责人：{issuer['principal_name'] or '—'}　　经办人：{issuer['handler_name'] or '—'}",
        f"联系电话：{issuer['contact_phone'] or '—'}",
        f"出具日期：{snapshot['issued_on']}",
    ]
    verification = Table(
        [
            [
                [Paragraph(line, body) for line in signature],
                [_qr(url, 32 * mm), Paragraph("扫码核验真伪", small)],
            ]
        ],
        colWidths=[130 * mm, 40 * mm],
    )
    verification.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [verification, Spacer(1, 4 * mm), Paragraph(f"核验地址：{url}", small)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"志愿服务记录证明 {certificate.number}",
        author=issuer["unit_name"],
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()
