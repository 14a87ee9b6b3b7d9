"""Staff screens and participant pages of the family group conference: forms keep input, refusals are shown,
reads are audited, the coordinator sees the conference and not the case, and query counts stay flat."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.conferences import services
from kreds.conferences.models import Conference, Cost, PlanItem
from kreds.meetings import services as meetings
from kreds.meetings.models import Evaluation
from kreds.participants.services import token_for
from kreds.testing.conferences import allocated, approved, held, move_to_past, prepared, referred
from kreds.testing.text import cpr_shaped

pytestmark = pytest.mark.django_db


def _referral_form(**overrides):
    return {
        "initiator_is_me": "no",
        "initiator_name": "Lone Lærer",
        "initiator_role": "klasselærer",
        "initiator_external": "on",
        "questions": "Hvordan får Emma det godt efter skole?",
        "bottom_lines": "Emma må ikke være alene om natten",
        "support_offered": "",
        "parents_consent_by": "Sara Mor",
        "parents_consent_on": timezone.localdate().isoformat(),
        "wellbeing_child": "2",
        "wellbeing_family": "",
        **overrides,
    }


def _link(participant, name="participants:home"):
    participant.refresh_from_db()
    meetings.ensure_link(participant, actor=None)
    return reverse(name, kwargs={"token": token_for(participant.link)})


def test_refer_through_the_form(world, client, login):
    login(world.caseworker)
    response = client.post(reverse("case_conferences:refer", args=[world.case.public_id]), _referral_form())
    conference = Conference.objects.get()
    assert response["Location"] == reverse("conferences:detail", args=[conference.public_id])
    assert conference.initiator_name == "Lone Lærer" and conference.initiator_external
    assert conference.wellbeing.get().score == 2


def test_referral_errors_keep_what_was_typed(world, client, login):
    login(world.caseworker)
    response = client.post(
        reverse("case_conferences:refer", args=[world.case.public_id]),
        _referral_form(bottom_lines="", initiator_name=""),
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Conference.objects.exists()
    assert "Hvordan får Emma det godt efter skole?" in html
    assert "Write the initiator&#x27;s name." in html or "Write the initiator's name." in html


def test_queue_shows_what_allocation_needs_and_not_the_child(world, client, login):
    referred(world.case, world.caseworker)
    login(world.facilitator)
    html = client.get(reverse("conferences:queue")).content.decode()
    child = world.case.child
    assert "Take it myself" in html
    assert child.first_name not in html and child.last_name not in html
    assert "Emma skal i skole" not in html, "the bottom lines are case content"
    assert AuditEvent.objects.filter(action=Action.CONFERENCE_QUEUE_VIEW, actor=world.facilitator).exists()


def test_coordinator_takes_a_referral_and_sees_the_conference_not_the_case(world, client, login):
    conference = referred(world.case, world.caseworker)
    login(world.facilitator)
    response = client.post(reverse("conferences:allocate", args=[conference.public_id]), {"take": "me"})
    assert response["Location"] == reverse("conferences:detail", args=[conference.public_id])
    html = client.get(response["Location"]).content.decode()
    assert conference.questions in html
    assert client.get(reverse("cases:detail", args=[world.case.public_id])).status_code == 404
    assert client.get(reverse("network:map", args=[world.case.public_id])).status_code == 404
    assert AuditEvent.objects.filter(
        action=Action.CONFERENCE_VIEW, actor=world.facilitator, person_concerned=str(world.case.child.public_id)
    ).exists()


def test_leader_allocation_refusal_is_shown(world, client, login):
    conference = referred(world.case, world.caseworker)
    world.caseworker.memberships.create(unit=world.family_centre, role="facilitator")
    login(world.leader)
    response = client.post(
        reverse("conferences:allocate", args=[conference.public_id]), {"coordinator": world.caseworker.pk}, follow=True
    )
    assert "assigned to the case" in response.content.decode()
    conference.refresh_from_db()
    assert conference.coordinator is None


def test_preparation_page_schedule_and_checklist(world, client, login):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    day = timezone.localdate() + datetime.timedelta(days=14)
    response = client.post(
        reverse("conferences:schedule", args=[conference.public_id]),
        {
            "date": day.isoformat(),
            "start": "16:00",
            "end": "20:00",
            "place": "Sognegården",
            "child_participation": "part",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("conferences:prepare", args=[conference.public_id])).content.decode()
    assert "not prepared yet" in html, "the caseworker (and the child) are invited and not yet prepared"
    assert "Hold the pre-meeting" in html


def test_schedule_errors_keep_the_venue(world, client, login):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    day = timezone.localdate() + datetime.timedelta(days=14)
    response = client.post(
        reverse("conferences:schedule", args=[conference.public_id]),
        {
            "date": day.isoformat(),
            "start": "16:00",
            "end": "15:00",
            "place": "Sognegården",
            "child_participation": "part",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Sognegården" in html and "must end after it starts" in html


def test_invitee_log_records_contacts(world, client, login):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    grandmother = setup.participants["mormor"]
    login(world.facilitator)
    url = reverse("conferences:contact_add", args=[setup.conference.public_id, grandmother.public_id])
    client.post(url, {"on": timezone.localdate().isoformat(), "kind": "home_visit", "note": "Hjemmebesøg"})
    html = client.get(
        reverse("conferences:invitee", args=[setup.conference.public_id, grandmother.public_id])
    ).content.decode()
    assert "Hjemmebesøg" in html and "Home visit" in html
    # The checklist shows the latest contact of each invitee.
    html = client.get(reverse("conferences:prepare", args=[setup.conference.public_id])).content.decode()
    assert "Home visit" in html


def test_new_person_is_added_to_the_map_from_the_preparation(world, client, login):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    sector = world.municipality.network_sectors.get(key="friends")
    login(world.facilitator)
    response = client.post(
        reverse("conferences:person_add", args=[setup.conference.public_id]),
        {"name": "Bent Nabo", "relation": "nabo", "sector": sector.pk, "ring": "2", "phone": "12345678"},
    )
    assert response.status_code == 302
    assert setup.meeting.participants.filter(name="Bent Nabo").exists()


def test_conference_screen_during_private_time_hides_the_note_forms(world, client, login):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    move_to_past(setup.meeting)
    login(world.facilitator)
    client.post(reverse("conferences:private_time", args=[setup.conference.public_id]), {"action": "start"})
    html = client.get(reverse("conferences:run", args=[setup.conference.public_id])).content.decode()
    assert "no notes are taken" in html
    assert reverse("conferences:information_add", args=[setup.conference.public_id]) not in html
    assert reverse("conferences:item_add", args=[setup.conference.public_id]) not in html


def test_plan_item_errors_keep_the_text(world, client, login):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    move_to_past(setup.meeting)
    conference = setup.conference
    services.private_time(actor=world.facilitator, conference=conference, start=True)
    services.private_time(actor=world.facilitator, conference=conference, start=False)
    login(world.facilitator)
    response = client.post(
        reverse("conferences:item_add", args=[conference.public_id]),
        {"responsible": "", "what": "Mormor henter om tirsdagen", "due_on": ""},
    )
    assert response.status_code == 200 and "Mormor henter om tirsdagen" in response.content.decode()


def test_approval_through_the_pages(world, client, login):
    setup = held(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    first, second, third = setup.items
    login(world.caseworker)
    html = client.get(reverse("conferences:approval", args=[conference.public_id])).content.decode()
    assert "3 items still need a decision." in html
    response = client.post(
        reverse("conferences:decide", args=[conference.public_id, third.public_id]),
        {"decision": "approved"},
        follow=True,
    )
    assert "not recorded as available" in response.content.decode()
    client.post(
        reverse("conferences:support", args=[conference.public_id, third.public_id]),
        {"status": "available", "note": "Bevilget"},
    )
    for item in (first, second, third):
        client.post(
            reverse("conferences:decide", args=[conference.public_id, item.public_id]), {"decision": "approved"}
        )
    response = client.post(reverse("conferences:finalise", args=[conference.public_id]), follow=True)
    assert "The plan is approved and on its way: 3 by e-mail" in response.content.decode()
    assert PlanItem.objects.filter(agreement__isnull=False).count() == 3


def test_plan_pdf_has_items_decisions_and_no_cpr(world, client, login):
    setup = approved(world.case, world.caseworker, world.facilitator, reject_last=True)
    login(world.caseworker)
    response = client.get(reverse("conferences:plan_pdf", args=[setup.conference.public_id]))
    assert response["Content-Type"] == "application/pdf" and b"pdfaid" in response.content
    pdftotext = shutil.which("pdftotext")
    assert pdftotext
    text = subprocess.run(  # noqa: S603 - fixed executable, our own PDF on stdin
        [pdftotext, "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = re.sub(r"\s+", " ", text)
    for expected in ("The family's plan", "Henter Emma fra skole", "Approved", "Rejected", "Strider mod bundlinjen"):
        assert expected in flat, expected
    assert "Emma må ikke være alene hjemme om natten." in flat
    assert not cpr_shaped(text)


def test_costs_page_records_and_totals(world, client, login):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"  # Danish decimal commas in and out
    url = reverse("conferences:costs", args=[conference.public_id])
    client.post(url, {"category": "coordinator_hours", "quantity": "2,5", "rate": "", "note": ""})
    client.post(url, {"category": "food", "quantity": "300", "rate": "", "note": "Aftensmad"})
    html = client.get(url).content.decode()
    assert Cost.objects.count() == 2
    assert "1.425,00 kr." in html, "2.5 h × 450 + 300 kr., Danish number format"


def test_figures_page(world, client, login):
    approved(world.case, world.caseworker, world.facilitator)
    login(world.leader)
    html = client.get(reverse("conferences:figures")).content.decode()
    assert 'data-figure="held">1<' in html and 'data-figure="with_plan">100 %<' in html


def test_settings_page_for_administrators(world, client, login):
    login(world.administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    url = reverse("conference_settings:edit")
    client.post(url, {"fgc_follow_up_months": "5", "fgc_hourly_rate": "500,00", "fgc_mileage_rate": "3,50"})
    world.municipality.refresh_from_db()
    assert world.municipality.fgc_follow_up_months == 5 and str(world.municipality.fgc_hourly_rate) == "500.00"


def test_detail_query_count_does_not_grow_with_items(world, client, login):
    setup = held(world.case, world.caseworker, world.facilitator)
    login(world.caseworker)
    url = reverse("conferences:detail", args=[setup.conference.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    session = setup.session.conference.sessions.get(number=0)
    for n in range(8):
        PlanItem.objects.create(
            session=session,
            number=10 + n,
            responsible=setup.participants["mor"],
            responsible_name="Sara Mor",
            what=f"Punkt {n}",
            due_on=timezone.localdate(),
            created_by=world.facilitator,
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) <= len(small.captured_queries)


# The participant's personal page for a conference -----------------------------------------------------------


def test_link_shows_the_questions_bottom_lines_and_the_fgc_leaflet(world, client):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    html = client.get(_link(setup.participants["mormor"])).content.decode()
    assert "Family group conference about" in html
    assert setup.conference.questions in html and "Emma skal i skole hver dag." in html
    assert reverse("fgc_leaflet") in html and "<script" not in html


def test_link_shows_the_plan_and_the_holders_own_part(world, client):
    setup = approved(world.case, world.caseworker, world.facilitator, reject_last=True)
    html = client.get(_link(setup.participants["mormor"])).content.decode()
    assert "Your part of the plan" in html and "Henter Emma fra skole tirsdag og torsdag" in html
    assert "Følger Emma i skole hver morgen" in html, "the whole approved plan"
    assert "aflastning hos moster" not in html, "a rejected item is not part of the plan"
    pdf = client.get(_link(setup.participants["mormor"], "participants:minutes"))
    assert pdf["Content-Disposition"] == 'inline; filename="familiens-plan.pdf"'


def test_link_of_another_conference_never_shows_this_plan(world, client):
    from kreds.testing.factories import CaseFactory, assign

    setup = approved(world.case, world.caseworker, world.facilitator)
    other_case = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    assign(other_case, world.caseworker)
    other = prepared(other_case, world.caseworker, world.facilitator)
    html = client.get(_link(other.participants["mormor"])).content.decode()
    assert "Henter Emma fra skole" not in html
    # Both referrals have the same text, so this conference's plan and address are what must not show.
    assert all(item.what not in html for item in setup.items)
    assert str(setup.conference.public_id) not in html


def test_fgc_evaluation_asks_about_the_plan(world, client):
    setup = approved(world.case, world.caseworker, world.facilitator)
    url = _link(setup.participants["mormor"], "participants:evaluation")
    html = client.get(url).content.decode()
    assert "Did the family and the network make a plan?" in html and "I am satisfied with the plan" in html
    answers = {k: "4" for k in ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction")}
    client.post(url, {**answers, "plan_made": "yes", "plan_satisfaction": "5", "comment": ""})
    evaluation = Evaluation.objects.get()
    assert evaluation.plan_made is True and evaluation.plan_satisfaction == 5


def test_child_fgc_evaluation_with_smileys(world, client):
    setup = approved(world.case, world.caseworker, world.facilitator)
    url = _link(setup.participants["child"], "participants:evaluation")
    html = client.get(url).content.decode()
    assert "Did your family make a plan?" in html and "😊" in html
    answers = {k: "5" for k in ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction")}
    client.post(url, {**answers, "plan_made": "unknown", "plan_satisfaction": "3"})
    evaluation = Evaluation.objects.get()
    assert evaluation.child_form and evaluation.plan_made is None and evaluation.plan_satisfaction == 3


def test_meeting_pages_of_a_conference_lead_back_to_it(world, client, login):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    meeting = setup.meeting
    detail = reverse("conferences:detail", args=[setup.conference.public_id])
    html = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
    assert detail in html and "Independent coordinator" in html
    for name in ("meetings:run", "meetings:edit", "meetings:cancel", "meetings:minutes"):
        assert client.get(reverse(name, args=[meeting.public_id]))["Location"] == detail, name
