"""Staff screens: planning form, refusals shown in Danish-ready messages, export, audit of reads."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.audit.models import AuditEvent
from kreds.meetings import services
from kreds.meetings.models import Meeting
from kreds.network.selectors import persons_as_of
from kreds.outbox.models import Outbox
from kreds.testing.factories import staff
from kreds.testing.meetings import held_meeting, network_for, planned_meeting

pytestmark = pytest.mark.django_db


def _form(world, **overrides):
    day = timezone.localdate() + datetime.timedelta(days=10)
    return {
        "purpose": "At lave en plan for eftermiddagene",
        "date": day.isoformat(),
        "start": "09:00",
        "end": "11:00",
        "break_planned": "on",
        "place": "Familiehuset",
        "facilitator": str(world.facilitator.pk),
        "minute_taker": "",
        "inviter": "Rådgiveren",
        "child_participation": "part",
        **overrides,
    }


def test_plan_through_the_form(world, client, login):
    login(world.caseworker)
    response = client.post(reverse("case_meetings:create", args=[world.case.public_id]), _form(world))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/moeder/{meeting.public_id}/deltagere/")
    assert meeting.facilitator == world.facilitator
    assert timezone.localtime(meeting.starts_at).hour == 9


def test_non_neutral_facilitator_is_refused_and_input_kept(world, client, login):
    both = staff(world.authority, Role.FACILITATOR, username="both", first_name="Bente", last_name="Begge")
    world.case.assignments.create(user=both)
    login(world.caseworker)
    response = client.post(
        reverse("case_meetings:create", args=[world.case.public_id]), _form(world, facilitator=str(both.pk))
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "Bente Begge is assigned to the case and cannot be the neutral facilitator." in html
    assert "At lave en plan for eftermiddagene" in html  # nothing the user typed is lost


def test_long_meeting_shows_a_warning(world, client, login):
    login(world.caseworker)
    response = client.post(
        reverse("case_meetings:create", args=[world.case.public_id]), _form(world, end="12:00"), follow=True
    )
    assert "180" in response.content.decode()


def test_facilitator_sees_the_meeting_but_not_the_case(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    assert client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).status_code == 200
    assert client.get(reverse("meetings:run", args=[setup.meeting.public_id])).status_code == 200
    assert client.get(reverse("cases:detail", args=[world.case.public_id])).status_code == 404
    assert client.get(reverse("network:map", args=[world.case.public_id])).status_code == 404
    event = AuditEvent.objects.filter(action="meeting.view", actor=world.facilitator).last()
    assert event.person_concerned == str(world.case.child.public_id)


def test_another_facilitator_gets_404(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    other = staff(world.family_centre, Role.FACILITATOR, username="other-facilitator")
    login(other)
    assert client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).status_code == 404
    assert AuditEvent.objects.filter(action="authz.denied", actor=other).exists()


def test_detail_lists_blocking_problems_before_invitations(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, None)
    login(world.caseworker)
    html = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert "Choose a neutral facilitator." in html
    assert reverse("meetings:invite", args=[setup.meeting.public_id]) not in html


def test_invite_refusal_is_shown(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, None)
    login(world.caseworker)
    response = client.post(reverse("meetings:invite", args=[setup.meeting.public_id]), follow=True)
    assert "Choose a neutral facilitator." in response.content.decode()


def test_letter_pdf_for_hand_delivery(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    child = setup.meeting.participants.get(role="child")
    row = Outbox.objects.get(participant=child, kind="invitation", channel="letter")
    login(world.caseworker)
    page = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert reverse("meetings:letter", args=[setup.meeting.public_id, row.pk]) in page  # listed as due for printing
    response = client.post(reverse("meetings:letter", args=[setup.meeting.public_id, row.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert 'filename="brev-invitation-' in response["Content-Disposition"]  # named by what it is
    child.refresh_from_db()
    row.refresh_from_db()
    assert child.invited_at is not None and row.letter_done == "printed" and row.handled_by == world.caseworker
    page = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert reverse("meetings:letter", args=[setup.meeting.public_id, row.pk]) not in page


def test_run_complete_without_date_is_refused(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    begun = timezone.now() - datetime.timedelta(minutes=30)
    Meeting.objects.filter(pk=setup.meeting.pk).update(starts_at=begun, ends_at=begun + datetime.timedelta(hours=2))
    login(world.facilitator)
    response = client.post(reverse("meetings:complete", args=[setup.meeting.public_id]), {}, follow=True)
    assert "follow-up meeting before completing" in response.content.decode()


def test_agreement_form_errors_keep_the_text(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    response = client.post(
        reverse("meetings:agreement_add", args=[setup.meeting.public_id]), {"what": "Min aftaletekst", "due_on": ""}
    )
    assert response.status_code == 200 and "Min aftaletekst" in response.content.decode()


def test_export_zip_has_pdf_and_metadata_and_is_audited(world, client, login):
    setup = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    login(world.caseworker)
    response = client.get(reverse("meetings:export", args=[setup.meeting.public_id]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["metadata.json", "referat.pdf"]
    meta = json.loads(archive.read("metadata.json"))
    assert meta["document"]["format"] == "PDF/A-2b" and meta["case"]["kreds_id"] == str(world.case.public_id)
    assert "cpr" not in json.dumps(meta).lower()
    assert archive.read("referat.pdf").startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="meeting.export", actor=world.caseworker).exists()
    client.post(reverse("meetings:journalise", args=[setup.meeting.public_id]))
    setup.meeting.refresh_from_db()
    assert setup.meeting.journalised_at is not None


def test_overview_shows_minutes_timeliness(world, client, login):
    setup = held_meeting(world.case, world.caseworker, world.facilitator, days_ago=0, send_minutes=True)
    login(world.caseworker)
    html = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert "Sent within 2 working days" in html


def test_case_overview_panel_and_list(world, client, login):
    network_for(world.case, world.caseworker)
    held_meeting(world.case, world.caseworker, world.facilitator)
    login(world.caseworker)
    html = client.get(reverse("cases:detail", args=[world.case.public_id])).content.decode()
    assert "Plan a network meeting" in html
    listing = client.get(reverse("case_meetings:list", args=[world.case.public_id])).content.decode()
    assert "Henter Emma fra skole" in listing


def test_my_meetings_for_the_facilitator(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    html = client.get(reverse("meetings:mine")).content.decode()
    assert reverse("meetings:detail", args=[setup.meeting.public_id]) in html


def test_detail_query_count_does_not_grow_with_participants(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.caseworker)
    url = reverse("meetings:detail", args=[setup.meeting.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    network_for(world.case, world.caseworker)
    more = [v.person for v in persons_as_of(world.case)]
    services.add_participants(actor=world.caseworker, meeting=setup.meeting, persons=more)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) <= len(small.captured_queries) + 2


def test_facilitator_lands_on_my_meetings(world, client, login):
    login(world.facilitator)
    assert client.get(reverse("home"))["Location"] == reverse("meetings:mine")


def test_my_meetings_lists_overdue_agreements(world, client, login):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    agreement = setup.meeting.agreements.get()
    agreement.due_on = timezone.localdate() - datetime.timedelta(days=2)
    agreement.save()
    login(world.caseworker)
    html = client.get(reverse("meetings:mine")).content.decode()
    assert "Overdue" in html and "Henter Emma fra skole" in html


def test_notes_carried_with_the_next_speaker_are_saved(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    client.post(
        reverse("meetings:speaker", args=[setup.meeting.public_id]),
        {
            "step": "next",
            "notes_descriptive": "Mor fortalte om morgenerne",
            "notes_reflective": "",
            "notes_agreements": "",
            "version": str(setup.meeting.version),
        },
    )
    setup.meeting.refresh_from_db()
    assert setup.meeting.notes_descriptive == "Mor fortalte om morgenerne"
    assert setup.meeting.speaker_position == 1
