"""Certificates: issue, the PDF (extractable Chinese, QR of the verification URL), verify,
revoke; unit settings printed; masked everywhere."""

import io

import pytest
from pypdf import PdfReader

from api.extensions import db
from api.hours.models import Certificate, RecordStatus


@pytest.fixture
def certified(client, volunteer, past_activity, add_record, make_id):
    """A volunteer 欧阳小明 with 2 h 30 min approved over two activities, and a pending
    record that must not count."""
    id_number = make_id()
    person = volunteer("欧阳小明", phone="13912345678", id_number=id_number)
    add_record(
        person, past_activity(days_ago=3, title="敬老院义务理发"), 90, status=RecordStatus.APPROVED
    )
    add_record(
        person, past_activity(days_ago=2, title="文明交通劝导"), 60, status=RecordStatus.APPROVED
    )
    add_record(person, past_activity(days_ago=1, title="未审核的活动"), 45)
    person.id_number = id_number
    return person


def _issue(client, person, **body):
    return client.post("/api/v1/me/certificates", headers=person.headers, json=body)


def _pdf_text(client, person, certificate) -> str:
    response = client.get(certificate["pdf_url"], headers=person.headers)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_issuing_numbers_the_certificate(client, certified, audit_actions):
    response = _issue(client, certified)

    assert response.status_code == 201
    body = response.get_json()
    assert body["number"].startswith("ZYFW") and len(body["number"]) == 14
    assert len(body["code"]) == 16
    assert body["verify_url"].endswith(f"/app/certificates/{body['code']}")
    assert (body["name"], body["total_minutes"], body["total_hours"]) == ("欧**明", 150, 2.5)
    assert body["status"] == "valid"
    certificate = db.session.query(Certificate).one()
    assert audit_actions("certificate", certificate.id) == ["certificate.issue"]
    second = _issue(client, certified).get_json()
    assert second["number"] != body["number"] and second["code"] != body["code"]


def test_the_pdf_text_holds_masked_name_hours_and_number(
    client, certified, organizer, corpus_units
):
    client.put(
        f"/api/v1/units/{corpus_units['LY-JL'].id}/certificate-settings",
        headers=organizer.headers,
        json={
            "principal_name": "李主任",
            "handler_name": "王干事",
            "contact_phone": "0395-8888888",
        },
    )
    certificate = _issue(client, certified).get_json()

    text = _pdf_text(client, certified, certificate)

    assert "志愿服务记录证明" in text
    assert certificate["number"] in text
    assert "欧**明" in text
    assert "2.5 小时" in text
    assert "敬老院义务理发" in text and "文明交通劝导" in text
    assert "未审核的活动" not in text
    assert "李主任" in text and "王干事" in text and "0395-8888888" in text
    assert corpus_units["LY-JL"].name in text
    assert certified.id_number[:4] + "*" * 10 + certified.id_number[-4:] in text
    assert "欧阳小明" not in text and certified.id_number not in text
    assert "13912345678" not in text


def test_the_qr_code_holds_the_verification_url(client, certified):
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    certificate = _issue(client, certified).get_json()
    data = client.get(certificate["pdf_url"], headers=certified.headers).data

    image = pdfium.PdfDocument(data)[0].render(scale=3).to_pil()
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]

    assert decoded == [certificate["verify_url"]]


def test_the_pdf_embeds_its_font_or_uses_the_standard_cid_font(client, certified, app):
    from api.hours.pdf import CID_FONT, EMBEDDED_FONT, certificate_font

    certificate = _issue(client, certified).get_json()
    data = client.get(certificate["pdf_url"], headers=certified.headers).data
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }

    if certificate_font() == EMBEDDED_FONT:
        assert any(name.startswith("/AAAAAA+") for name in fonts)  # an embedded subset
    else:
        assert f"/{CID_FONT}" in fonts


def test_verification_shows_masked_data_only(client, certified):
    certificate = _issue(client, certified).get_json()

    response = client.get(f"/api/v1/certificates/{certificate['code']}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is True and body["status"] == "valid"
    assert (body["number"], body["name"], body["total_hours"]) == (
        certificate["number"],
        "欧**明",
        2.5,
    )
    assert body["id_number"] == certified.id_number[:4] + "*" * 10 + certified.id_number[-4:]
    assert body["activity_count"] == 2
    text = response.get_data(as_text=True)
    assert "欧阳小明" not in text and certified.id_number not in text and "1391234" not in text


def test_unknown_or_tampered_codes_are_404(client, certified):
    code = _issue(client, certified).get_json()["code"]
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")

    for attempt in (tampered, code.lower(), "ZYFW2026000001", "x" * 200):
        response = client.get(f"/api/v1/certificates/{attempt}")
        assert response.status_code == 404
        assert response.get_json()["error"] in ("certificate_not_found", "not_found")


def test_a_revoked_certificate_says_so(client, certified, organizer, outsider, audit_actions):
    certificate = _issue(client, certified).get_json()
    url = f"/api/v1/certificates/{certificate['code']}"

    refused = client.post(f"{url}/revoke", headers=outsider.headers, json={"reason": "越权"})
    revoked = client.post(
        f"{url}/revoke", headers=organizer.headers, json={"reason": "时长记录更正后重新开具"}
    )
    again = client.post(f"{url}/revoke", headers=organizer.headers, json={"reason": "重复"})
    verified = client.get(url).get_json()

    assert refused.status_code == 403
    assert revoked.status_code == 200
    assert again.status_code == 409
    assert (verified["valid"], verified["status"]) == (False, "revoked")
    assert verified["revoked_at"].endswith("+08:00")
    text = _pdf_text(client, certified, certificate)
    assert "本证明已作废" in text
    assert audit_actions("certificate", db.session.query(Certificate).one().id) == [
        "certificate.issue",
        "certificate.revoke",
    ]


def test_only_the_owner_downloads_the_pdf(client, certified, volunteer):
    certificate = _issue(client, certified).get_json()
    other = volunteer("路人甲")
    response = client.get(certificate["pdf_url"], headers=other.headers)
    assert response.status_code == 404


def test_no_approved_hours_no_certificate(client, volunteer, past_activity, add_record):
    person = volunteer()
    add_record(person, past_activity(), 60)
    response = _issue(client, person)
    assert response.status_code == 409
    assert response.get_json()["error"] == "no_approved_hours"


def test_residents_without_a_profile_cannot_issue(client, create_user, auth_headers):
    response = client.post("/api/v1/me/certificates", headers=auth_headers(create_user()), json={})
    assert response.status_code == 403
    assert response.get_json()["error"] == "volunteers_only"


def test_the_issuer_is_my_unit_or_above(client, certified, corpus_units):
    above = _issue(client, certified, unit_id=corpus_units["LY"].id)
    beside = _issue(client, certified, unit_id=corpus_units["LY-CG"].id)
    assert above.status_code == 201
    assert above.get_json()["unit_name"] == corpus_units["LY"].name
    assert beside.status_code == 403


def test_settings_are_inherited_from_the_nearest_unit_above(
    client, certified, create_user, auth_headers, corpus_units
):
    county = auth_headers(create_user("county", roles=[("admin", "LY")]))
    client.put(
        f"/api/v1/units/{corpus_units['LY'].id}/certificate-settings",
        headers=county,
        json={
            "principal_name": "县中心主任",
            "handler_name": "县经办人",
            "contact_phone": "0395-1234567",
        },
    )

    text = _pdf_text(client, certified, _issue(client, certified).get_json())

    assert "县中心主任" in text and "0395-1234567" in text


def test_settings_belong_to_the_units_admins(
    client, organizer, outsider, corpus_units, audit_actions
):
    url = f"/api/v1/units/{corpus_units['LY-JL'].id}/certificate-settings"
    refused = client.put(url, headers=outsider.headers, json={"principal_name": "冒名"})
    saved = client.put(url, headers=organizer.headers, json={"principal_name": "李主任"})
    shown = client.get(url, headers=organizer.headers).get_json()

    assert refused.status_code == 403
    assert saved.status_code == 200
    assert shown["principal_name"] == "李主任"
    assert audit_actions("unit", corpus_units["LY-JL"].id) == ["certificate_settings.update"]


def test_my_certificates_are_listed(client, certified):
    issued = _issue(client, certified).get_json()
    listed = client.get("/api/v1/me/certificates", headers=certified.headers).get_json()
    assert [row["code"] for row in listed["data"]] == [issued["code"]]
    assert listed["pagination"]["total"] == 1


def test_without_a_truetype_font_the_text_still_extracts(make_app, request):
    make_app(CERTIFICATE_FONT_PATH="/nonexistent/font.ttf")
    client, person = request.getfixturevalue("client"), request.getfixturevalue("certified")
    certificate = _issue(client, person).get_json()
    data = client.get(certificate["pdf_url"], headers=person.headers).data

    reader = PdfReader(io.BytesIO(data))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }

    assert "/STSong-Light" in fonts
    text = reader.pages[0].extract_text()
    assert "欧**明" in text and certificate["number"] in text
