"""The child's voice (DOMAIN §8): Three Houses with consent and a safe drawing upload, the child's own page
through a personal link (answers land on the case for review), Words & Pictures, and the child's words at every
meeting about them."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError
from kreds.participants.services import token_for
from kreds.testing.files import jpeg, png
from kreds.testing.meetings import planned_meeting
from kreds.voice import selectors, services
from kreds.voice.models import ChildInput

pytestmark = pytest.mark.django_db
PNG = png()


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path


def _houses(world, **data):
    return services.record_three_houses(
        actor=world.caseworker,
        case=world.case,
        data={
            "recorded_on": timezone.localdate(),
            "worries": "Når mor er ked af det",
            "good_things": "Mormors pandekager",
            "dreams": "At få en hund",
            "parents_consent_by": "Sara Mor",
            "parents_consent_on": timezone.localdate(),
            "shown_to_parents_first": True,
            **data,
        },
    )


def test_three_houses_need_the_childs_words_and_the_parents_consent(world):
    with pytest.raises(KredsError, match="at least one"):
        _houses(world, worries="", good_things="", dreams="")
    with pytest.raises(KredsError, match="consented"):
        _houses(world, parents_consent_by="")
    houses = _houses(world)
    assert houses.shown_to_parents_first and houses.checked_with_child_on is None
    services.mark_checked_with_child(actor=world.caseworker, houses=houses, on=timezone.localdate())
    houses.refresh_from_db()
    assert houses.checked_with_child_on == timezone.localdate()


def test_drawing_upload_is_checked_and_served_only_to_the_case(world, client, login):
    houses = services.record_three_houses(
        actor=world.caseworker,
        case=world.case,
        data={"dreams": "En hund", "parents_consent_by": "Mor", "parents_consent_on": timezone.localdate()},
        drawing=SimpleUploadedFile("tegning.png", PNG, content_type="image/png"),
    )
    with pytest.raises(KredsError, match="JPEG or PNG"):
        services.record_three_houses(
            actor=world.caseworker,
            case=world.case,
            data={"dreams": "x", "parents_consent_by": "Mor", "parents_consent_on": timezone.localdate()},
            drawing=SimpleUploadedFile("tegning.png", b"<svg onload=alert(1)>", content_type="image/png"),
        )
    url = reverse("documents:download", args=[houses.drawing.public_id])
    login(world.facilitator)
    assert client.get(url).status_code == 404
    login(world.caseworker)
    assert client.get(url)["Content-Disposition"].startswith("attachment")


def test_upload_through_the_form(world, client, login):
    login(world.caseworker)
    response = client.post(
        reverse("voice:houses_add", args=[world.case.public_id]),
        {
            "recorded_on": timezone.localdate().isoformat(),
            "worries": "",
            "good_things": "Fodbold",
            "dreams": "",
            "parents_consent_by": "Far",
            "parents_consent_on": timezone.localdate().isoformat(),
            "drawing": SimpleUploadedFile("hus.jpg", jpeg()),
        },
    )
    assert response.status_code == 302
    houses = selectors.three_houses(world.case)[0]
    assert houses.drawing.content_type == "image/jpeg"


def test_child_page_flow_link_answer_review(world, client, login):
    link = services.issue_child_link(actor=world.caseworker, case=world.case)
    assert services.issue_child_link(actor=world.caseworker, case=world.case) == link, "one active page"
    url = reverse("participants:home", kwargs={"token": token_for(link)})
    page = client.get(url).content.decode()
    assert "<script" not in page and 'name="who_to_meeting"' in page
    assert world.case.child.last_name not in page, "the child's page shows only the first name"
    response = client.post(url, {"worries": "", "safe_with": "Mormor og Bent", "who_to_meeting": "Mormor"})
    assert response.status_code == 302
    child_input = ChildInput.objects.get()
    assert child_input.who_to_meeting == "Mormor" and child_input.reviewed_at is None
    assert AuditEvent.objects.filter(action=Action.CHILD_INPUT, actor_label=f"link:{link.public_id}").exists()
    assert client.post(url, {}).status_code == 400, "an empty answer is refused, kindly"
    login(world.caseworker)
    case_page = client.get(reverse("cases:detail", args=[world.case.public_id])).content.decode()
    assert "answer that nobody has read yet" in case_page
    client.post(reverse("voice:review", args=[world.case.public_id, child_input.public_id]), {"note": "Bent på kortet"})
    child_input.refresh_from_db()
    assert child_input.reviewed_by == world.caseworker and child_input.review_note == "Bent på kortet"
    assert selectors.unreviewed_count(world.case) == 0


def test_closed_child_page_does_not_open(world, client):
    link = services.issue_child_link(actor=world.caseworker, case=world.case)
    services.revoke_child_link(actor=world.caseworker, case=world.case)
    assert client.get(reverse("participants:home", kwargs={"token": token_for(link)})).status_code == 404


def test_a_child_link_never_opens_meeting_pages(world, client):
    link = services.issue_child_link(actor=world.caseworker, case=world.case)
    token = token_for(link)
    for name in ("participants:ics", "participants:minutes", "participants:evaluation"):
        assert client.get(reverse(name, kwargs={"token": token})).status_code == 404, name


def test_childs_words_reach_the_meeting(world, client, login):
    _houses(world)
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    html = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert "Mormors pandekager" in html and "The child&#x27;s own words" in html.replace("'", "&#x27;")


def test_words_and_pictures_versions_and_pdf(world, client, login):
    first = services.save_words_and_pictures(
        actor=world.caseworker, case=world.case, title="Hvorfor kommunen hjælper", text="Mor har det svært."
    )
    with pytest.raises(KredsError, match="Nothing"):
        services.save_words_and_pictures(
            actor=world.caseworker, case=world.case, title="Hvorfor kommunen hjælper", text="Mor har det svært."
        )
    second = services.save_words_and_pictures(
        actor=world.caseworker, case=world.case, title="Hvorfor kommunen hjælper", text="Mor får hjælp nu."
    )
    assert (first.version, second.version) == (1, 2)
    login(world.practitioner)
    pdf = client.get(reverse("voice:words_pdf", args=[world.case.public_id]))
    assert pdf["Content-Type"] == "application/pdf" and b"pdfaid" in pdf.content


def test_dates_cannot_be_in_the_future(world):
    with pytest.raises(KredsError, match="future"):
        _houses(world, recorded_on=timezone.localdate() + datetime.timedelta(days=1))
