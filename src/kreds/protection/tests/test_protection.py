"""Recording, changing and ending protections; what they do to meetings, the map, letters and the archive."""

from __future__ import annotations

import datetime
import html
import io
import json
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core import disclosure
from kreds.meetings import services as meetings
from kreds.meetings.constants import Delivery
from kreds.meetings.models import Meeting, Participant
from kreds.meetings.sending import minutes_data, others_for, reader_for
from kreds.network import services as network
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_row
from kreds.protection import services
from kreds.protection.models import Protection
from kreds.testing.meetings import planned_meeting
from kreds.testing.protection import MOTHER_PHONE, SHELTER_ADDRESS, WHEREABOUTS, crisis_case


@pytest.fixture
def crisis(world):
    return crisis_case(world.case, world.caseworker, world.facilitator)


def _url(name, case, **kwargs):
    return reverse(name, kwargs={"public_id": case.public_id, **kwargs})


def test_recording_a_protection_needs_what_and_why_and_keeps_what_was_typed(world, login):
    planned_meeting(world.case, world.caseworker, world.facilitator)
    client = login(world.caseworker)
    url = _url("protection:add", world.case)
    response = client.post(url, {"person": "barnet", "reason": "other", "whereabouts_text": "Et sted i Jylland"})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Choose what is protected." in page
    assert "Write the reason in words." in page
    assert 'value="Et sted i Jylland"' in page
    assert not Protection.objects.exists()


def test_record_change_and_end_with_audit(world, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    client = login(world.caseworker)
    response = client.post(
        _url("protection:add", world.case),
        {
            "person": str(setup.mother.public_id),
            "protects": ["address"],
            "reason": "cpr",
            "must_not_learn": [str(setup.grandmother.public_id)],
        },
    )
    assert response.status_code == 302
    protection = Protection.objects.get()
    assert protection.address and list(protection.must_not_learn.all()) == [setup.grandmother]
    edit = _url("protection:edit", world.case, protection_id=protection.public_id)
    response = client.post(
        edit,
        {"person": "ignored", "protects": ["address", "contact"], "reason": "cpr", "version": protection.version},
    )
    assert response.status_code == 302
    protection.refresh_from_db()
    assert protection.contact and protection.person == setup.mother  # whose it is never changes
    assert not protection.must_not_learn.exists()
    end = _url("protection:end", world.case, protection_id=protection.public_id)
    response = client.post(end, {"end_reason": "", "version": protection.version})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(end, {"end_reason": "Beskyttelsen i CPR er ophørt", "version": protection.version})
    assert response.status_code == 302
    protection.refresh_from_db()
    assert protection.ended_at is not None and protection.end_reason == "Beskyttelsen i CPR er ophørt"
    actions = list(AuditEvent.objects.filter(object_type="protection").values_list("action", flat=True))
    assert actions == [Action.PROTECTION_ADD, Action.PROTECTION_CHANGE, Action.PROTECTION_END]
    # No audit event holds a protected value.
    assert not AuditEvent.objects.filter(details__icontains="Lindevej").exists()


def test_a_stale_change_is_refused(world, crisis, login):
    edit = _url("protection:edit", world.case, protection_id=crisis.protection.public_id)
    response = login(world.caseworker).post(
        edit, {"protects": ["address"], "reason": "cpr", "version": crisis.protection.version - 1}
    )
    assert response.status_code == 200
    assert "Someone else changed this protection" in html.unescape(response.content.decode())
    before = crisis.protection.version
    crisis.protection.refresh_from_db()
    assert crisis.protection.version == before and crisis.protection.contact and crisis.protection.whereabouts


def test_only_those_who_see_values_see_the_protections(world, crisis, login):
    url = _url("protection:list", world.case)
    assert login(world.practitioner).get(url).status_code == 404
    page = login(world.leader).get(url).content.decode()
    assert WHEREABOUTS in page and "Jens Far" in page


def test_a_practitioner_cannot_change_a_protected_value_they_cannot_see(world, crisis, login):
    mother = crisis.setup.mother
    url = reverse("network:person_edit", kwargs={"public_id": world.case.public_id, "person_id": mother.public_id})
    client = login(world.practitioner)
    page = client.get(url).content.decode()
    assert SHELTER_ADDRESS not in page and "Protected" in page
    current = network.current_version(mother)
    data = {k: getattr(current, k) for k in ("name", "relation", "ring", "quality")}
    data.update(
        {"sector": current.sector_id, "address": "Protected", "phone": "Protected", "email": "", "version": current.pk}
    )
    client.post(url, data)
    assert network.current_version(mother).address == SHELTER_ADDRESS
    assert network.current_version(mother).phone == MOTHER_PHONE


def test_the_meeting_page_warns_when_both_parents_are_invited(world, crisis, login):
    page = html.unescape(
        login(world.facilitator).get(reverse("meetings:detail", args=[crisis.setup.meeting.public_id])).content.decode()
    )
    assert "Jens Far must not learn the protected details of Sara Mor, and both are invited." in page
    assert SHELTER_ADDRESS not in page


def test_hidden_participation(world, crisis):
    services.change_protection(
        actor=world.caseworker,
        protection=crisis.protection,
        data={"address": True, "contact": True, "hidden": True, "reason": "crisis"},
        barred=[crisis.father],
        expected_version=crisis.protection.version,
    )
    meeting = crisis.setup.meeting
    grandmother = meeting.participants.get(person=crisis.setup.grandmother)
    mother = meeting.participants.get(person=crisis.setup.mother)
    with disclosure.reading_as(reader_for(grandmother)):
        assert "Sara Mor" not in [o["name"] for o in others_for(grandmother)]
        assert all(row[0] != "Sara Mor" for row in minutes_data(meeting)["participants"])
        assert disclosure.text("Sara Mor tager sig af madpakker") == "Protected tager sig af madpakker"
    with disclosure.reading_as(reader_for(mother)):
        assert "Sara Mor" in [row[0] for row in minutes_data(meeting)["participants"]]
    # Staff see everyone.
    assert "Sara Mor" in [row[0] for row in minutes_data(meeting)["participants"]]


def test_protection_after_invitations_lists_what_went_out_and_stops_what_has_not(world, login):
    from kreds.network.models import Sector
    from kreds.testing.protection import FATHER_EMAIL

    network.get_or_create_map(case=world.case)
    network.record_map_consent(
        actor=world.caseworker, case=world.case, given_by="Mor", role="parent", given_on=datetime.date(2026, 1, 1)
    )
    family = Sector.objects.get(municipality=world.municipality, key="family")
    father = network.add_person(
        actor=world.caseworker,
        case=world.case,
        data={"name": "Jens Far", "relation": "far", "sector": family, "email": FATHER_EMAIL},
    )
    setup = planned_meeting(world.case, world.caseworker, world.facilitator, more=[father])
    meetings.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    sent = Outbox.objects.get(meeting=setup.meeting, participant__person=setup.grandmother)
    assert send_row(sent.pk) == "sent"
    waiting = Outbox.objects.get(meeting=setup.meeting, participant__person=father)
    assert waiting.sent_at is None
    protection = services.add_protection(
        actor=world.caseworker,
        case=world.case,
        data={"person": setup.mother, "address": True, "reason": "crisis"},
        barred=[father],
    )
    waiting.refresh_from_db()
    assert waiting.sent_at is None and waiting.last_error.startswith("Stopped")
    assert waiting.attempts >= 5  # never tried again by the worker
    gone = services.already_sent(protection)
    assert [g.recipient for g in gone] == ["Inge Mormor"]
    page = html.unescape(login(world.caseworker).get(_url("protection:list", world.case)).content.decode())
    assert "Sent before the protection was recorded" in page and "Inge Mormor" in page


def test_a_letter_that_would_tell_the_father_is_not_made(world, crisis, login):
    meeting = crisis.setup.meeting
    Meeting.objects.filter(pk=meeting.pk).update(place=f"{WHEREABOUTS}, mødelokalet")
    Participant.objects.filter(meeting=meeting, person=crisis.father).update(
        delivery=Delivery.LETTER, email="", address="Skovvej 3, 8600 Silkeborg"
    )
    meetings.send_invitations(actor=world.caseworker, meeting=meeting)
    row = Outbox.objects.get(meeting=meeting, participant__person=crisis.father, channel="letter")
    client = login(world.caseworker)
    response = client.post(reverse("meetings:letter", args=[meeting.public_id, row.pk]), follow=True)
    page = html.unescape(response.content.decode())
    row.refresh_from_db()
    assert row.sent_at is None and row.last_error  # the reason, in the municipality's language as letters are
    assert response.redirect_chain and row.last_error in page
    assert AuditEvent.objects.filter(action=Action.PROTECTION_SEND_REFUSED, actor=world.caseworker).exists()


def test_the_archive_extract_records_protected_data(world, crisis, login):
    from kreds.cases import services as cases

    cases.close_case(actor=world.caseworker, case=world.case, reason="Sagen er afsluttet")
    response = login(world.caseworker).get(reverse("cases:archive_zip", args=[world.case.public_id]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        facts = json.loads(archive.read("sag.json"))
    assert facts["protected_data"]["contains_protected_data"] is True
    assert facts["protected_data"]["protections"][0]["details"]


def test_the_mail_to_the_mother_about_her_own_meeting_still_goes(world, crisis):
    meetings.send_invitations(actor=world.caseworker, meeting=crisis.setup.meeting)
    mail.outbox.clear()
    row = Outbox.objects.get(meeting=crisis.setup.meeting, participant__person=crisis.setup.mother, kind="invitation")
    assert send_row(row.pk) == "sent"
    assert mail.outbox and mail.outbox[0].to == ["sara.skjult@krisecenter.invalid"]
    assert timezone.now() - row.created_at < datetime.timedelta(minutes=5)


def test_no_form_lets_someone_overwrite_a_value_they_cannot_see(world, crisis, login):
    """The class of the map's person form: the participant form of the meeting, for a practitioner of the
    referred unit (who may plan meetings on the case but not see the protected details)."""
    meeting = crisis.setup.meeting
    mother = meeting.participants.get(person=crisis.setup.mother)
    url = reverse("meetings:participant_edit", args=[meeting.public_id, mother.public_id])
    client = login(world.practitioner)
    page = client.get(url).content.decode()
    assert "sara.skjult" not in page and SHELTER_ADDRESS not in page and "Protected" in page
    client.post(url, {"role": mother.role, "delivery": "email", "email": "x@example.invalid", "address": "Protected"})
    mother.refresh_from_db()
    assert mother.email == "sara.skjult@krisecenter.invalid" and mother.address == SHELTER_ADDRESS
