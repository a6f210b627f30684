"""Resources: coordinators publish papers for their program, HR admins for everyone (also in
the admin); size, extension and content are checked and a refusal saves nothing;
participants and, for global papers, everyone download them as counted attachments."""

import hashlib
import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs import selectors, services
from programs.models import Resource
from tests.builders.programs import DOCX_BYTES, PDF_BYTES, apply, pdf_upload


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def publish(by, program, upload=None, title="A short guide"):
    return services.resource_publish(
        by=by, program=program, title=title, file=upload or pdf_upload()
    )


def download(client, resource):
    response = client.get(reverse("programs:resource_download", args=[resource.pk]))
    # Reading to the end closes the file, as a WSGI server would; the test client wraps it.
    body = b"".join(response.streaming_content) if response.streaming else b""
    return response, body


# --- Publishing ----------------------------------------------------------------------------------


def test_coordinator_publishes_a_pdf_for_their_program(media_root, program, coordinator):
    resource = publish(coordinator, program, pdf_upload("Mentoring guide.pdf"))

    resource.refresh_from_db()
    assert resource.program == program
    assert resource.uploaded_by == coordinator
    assert resource.original_name == "Mentoring guide.pdf"
    assert resource.content_type == "application/pdf"
    assert resource.size == len(PDF_BYTES)
    assert resource.checksum == hashlib.sha256(PDF_BYTES).hexdigest()
    assert resource.download_count == 0
    (stored,) = files_in(media_root)
    assert stored.read_bytes() == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.odt", "application/vnd.oasis.opendocument.text"),
        ("old.doc", "application/msword"),
    ],
)
def test_office_documents_are_published(media_root, program, coordinator, name, content_type):
    content = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50 if name.endswith(".doc") else DOCX_BYTES
    )

    resource = publish(coordinator, program, SimpleUploadedFile(name, content))

    assert resource.content_type == content_type


def test_hr_admin_publishes_for_everyone_and_for_any_program(media_root, program, hr_admin):
    everyone = publish(hr_admin, None, title="For all")
    for_program = publish(hr_admin, program, title="For Grow")

    assert everyone.program is None
    assert for_program.program == program


@pytest.mark.parametrize(
    "who", ["other_coordinator", "participant", "outsider", "committee_member"]
)
def test_only_coordinators_of_the_program_or_hr_admins_publish_for_it(
    request, media_root, program, committee, who
):
    with pytest.raises(ValidationError, match="Only a coordinator of this program"):
        publish(request.getfixturevalue(who), program)

    assert not Resource.objects.exists()
    assert not files_in(media_root)


def test_coordinators_do_not_publish_for_everyone(media_root, program, coordinator):
    with pytest.raises(ValidationError, match="Only HR admins publish resources for everyone"):
        publish(coordinator, None)

    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 40, "Only PDF and office documents"),
        ("guide.pdf", b"<html>not a pdf</html>", "content is not a PDF"),
        ("plan.docx", PDF_BYTES, "content is not a DOCX"),
        ("guide.pdf.exe", PDF_BYTES, "Only PDF and office documents"),
        ("guide", PDF_BYTES, "Only PDF and office documents"),
        ("empty.pdf", b"", "empty"),
    ],
    ids=["exe", "pdf-not-pdf", "docx-is-pdf", "double-extension", "no-extension", "empty"],
)
def test_wrong_kind_of_file_is_refused_with_a_clear_message_and_nothing_saved(
    media_root, program, coordinator, name, content, words
):
    with pytest.raises(ValidationError) as refusal:
        publish(coordinator, program, SimpleUploadedFile(name, content))

    assert words in " ".join(refusal.value.messages)
    assert not Resource.objects.exists()
    assert not files_in(media_root)


def test_file_over_the_size_limit_is_refused_and_nothing_saved(
    settings, media_root, program, coordinator
):
    settings.RESOURCE_MAX_BYTES = len(PDF_BYTES) - 1

    with pytest.raises(ValidationError) as refusal:
        publish(coordinator, program)

    assert "the limit is" in " ".join(refusal.value.messages)
    assert not Resource.objects.exists()
    assert not files_in(media_root)


def test_file_at_the_size_limit_is_accepted(settings, media_root, program, coordinator):
    settings.RESOURCE_MAX_BYTES = len(PDF_BYTES)

    assert publish(coordinator, program).size == len(PDF_BYTES)


# --- In the browser and the admin --------------------------------------------------------------


def test_coordinator_publishes_in_the_browser(media_root, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).post(
        reverse("programs:program_resource_create", args=[program.slug]),
        {"title": "Guide", "description": "", "file": pdf_upload()},
    )

    assert response.status_code == 302
    assert Resource.objects.get().program == program


def test_refused_upload_in_the_browser_shows_why_and_saves_nothing(
    media_root, program, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).post(
        reverse("programs:program_resource_create", args=[program.slug]),
        {"title": "Guide", "file": SimpleUploadedFile("guide.pdf", b"plain text, not a pdf")},
    )

    assert response.status_code == 200
    assert "content is not a PDF" in html.unescape(response.content.decode())
    assert not Resource.objects.exists()
    assert not files_in(media_root)


def test_oversized_upload_in_the_browser_shows_why_and_saves_nothing(
    settings, media_root, program, coordinator, signed_in_client
):
    settings.RESOURCE_MAX_BYTES = 10

    response = signed_in_client(coordinator).post(
        reverse("programs:program_resource_create", args=[program.slug]),
        {"title": "Guide", "file": pdf_upload()},
    )

    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not Resource.objects.exists()


def test_hr_admin_publishes_for_everyone_in_the_browser(media_root, hr_admin, signed_in_client):
    response = signed_in_client(hr_admin).post(
        reverse("programs:resource_create"), {"title": "For all", "file": pdf_upload()}
    )

    assert response.status_code == 302
    assert Resource.objects.get().program is None


def test_coordinator_cannot_open_the_publish_for_everyone_page(
    media_root, program, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)

    assert client.get(reverse("programs:resource_create")).status_code == 403
    response = client.post(
        reverse("programs:resource_create"), {"title": "For all", "file": pdf_upload()}
    )
    assert response.status_code == 403
    assert not Resource.objects.exists()


def test_hr_admin_publishes_in_the_admin(media_root, program, hr_admin, signed_in_client):
    response = signed_in_client(hr_admin).post(
        reverse("admin:programs_resource_add"),
        {"program": program.pk, "title": "Admin guide", "description": "", "file": pdf_upload()},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    resource = Resource.objects.get()
    assert (resource.program, resource.title, resource.uploaded_by) == (
        program,
        "Admin guide",
        hr_admin,
    )
    assert resource.checksum == hashlib.sha256(PDF_BYTES).hexdigest()
    assert len(files_in(media_root)) == 1


def test_admin_refuses_an_executable_and_saves_nothing(media_root, hr_admin, signed_in_client):
    response = signed_in_client(hr_admin).post(
        reverse("admin:programs_resource_add"),
        {"title": "Tool", "description": "", "file": SimpleUploadedFile("tool.exe", b"MZ" * 20)},
    )

    assert response.status_code == 200
    assert "Only PDF and office documents" in response.content.decode()
    assert not Resource.objects.exists()
    assert not files_in(media_root)


# --- Downloads ---------------------------------------------------------------------------


def test_participant_downloads_a_program_resource_as_a_counted_attachment(
    media_root, program, coordinator, participant, signed_in_client
):
    resource = publish(coordinator, program, pdf_upload("Programme guide.pdf"))
    client = signed_in_client(participant)

    response, body = download(client, resource)
    download(client, resource)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "Programme guide.pdf" in response["Content-Disposition"]
    assert body == PDF_BYTES
    resource.refresh_from_db()
    assert resource.download_count == 2


def test_everyone_downloads_a_resource_for_everyone(
    media_root, hr_admin, outsider, superuser, signed_in_client
):
    resource = publish(hr_admin, None)

    for user in (outsider, superuser):
        response, body = download(signed_in_client(user), resource)
        assert response.status_code == 200
        assert body == PDF_BYTES
    resource.refresh_from_db()
    assert resource.download_count == 2


@pytest.mark.parametrize(
    "who", ["outsider", "applicant", "other_coordinator", "superuser", "hr_admin"]
)
def test_non_participant_gets_404_for_a_program_resource_and_nothing_is_counted(
    request, media_root, program, coordinator, mentor, signed_in_client, who
):
    resource = publish(coordinator, program)
    if who == "applicant":
        apply(mentor.employee, program, "mentor")
        user = mentor
    else:
        user = request.getfixturevalue(who)

    response, _ = download(signed_in_client(user), resource)

    assert response.status_code == 404
    resource.refresh_from_db()
    assert resource.download_count == 0


def test_resource_list_shows_each_person_what_they_may_download(
    media_root, program, coordinator, hr_admin, participant, outsider, signed_in_client
):
    for_program = publish(coordinator, program, title="Grow handbook")
    for_everyone = publish(hr_admin, None, title="Being a great mentor")

    assert set(selectors.resource_list_for(user=participant)) == {for_program, for_everyone}
    assert set(selectors.resource_list_for(user=coordinator)) == {for_program, for_everyone}
    assert list(selectors.resource_list_for(user=outsider)) == [for_everyone]
    page = signed_in_client(outsider).get(reverse("programs:resources")).content.decode()
    assert "Being a great mentor" in page
    assert "Grow handbook" not in page


def test_missing_file_is_a_404_not_a_500(
    media_root, program, coordinator, participant, signed_in_client
):
    resource = publish(coordinator, program)
    for stored in files_in(media_root):
        stored.unlink()

    response, _ = download(signed_in_client(participant), resource)

    assert response.status_code == 404
