"""Issue 14 §7: a page with several forms never loses what was typed in one of them when another is saved."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kreds.conferences.models import Conference
from kreds.testing.clients import login_staff
from kreds.testing.conferences import allocated
from tests.test_stale_edits import REFUSED, post_data


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_staff(client, user)
    return client


def _prepare_page(world):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    client = _client(world.facilitator)
    url = reverse("conferences:prepare", args=[conference.public_id])
    page = client.get(url)
    data = post_data(page.context["form"]) | post_data(page.context["schedule_form"])
    data |= post_data(page.context["wellbeing_form"])
    return conference, client, url, data


def _when() -> dict[str, str]:
    day = timezone.localdate() + datetime.timedelta(days=14)
    return {"date": day.isoformat(), "start": "16:00", "end": "20:00", "place": "Sognegården"}


def test_saving_date_and_venue_also_saves_the_pre_meeting_typed_above(world):
    """The field trial: section 1 filled in, then "save date and venue" — section 1 was thrown away."""
    conference, client, url, data = _prepare_page(world)
    data |= {"premeeting_notes": "Mormor og moster inviteres; far ønsker ikke", "food": "Suppe"} | _when()
    response = client.post(url, data | {"save": "schedule"})
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.premeeting_notes == "Mormor og moster inviteres; far ønsker ikke"
    assert conference.food == "Suppe"
    assert conference.meeting is not None and conference.meeting.place == "Sognegården"


def test_a_refused_section_keeps_every_section_as_typed_and_saves_nothing(world):
    conference, client, url, data = _prepare_page(world)
    typed = "Mormor og moster inviteres"
    data |= {"premeeting_notes": typed, "wellbeing-child": "4"} | _when() | {"end": "15:00"}
    response = client.post(url, data | {"save": "premeeting"})
    html = response.content.decode()
    assert response.status_code == 200
    assert typed in html and "Sognegården" in html, "what was typed in both sections is shown again"
    assert "must end after it starts" in html
    assert '<option value="4" selected>' in html
    conference.refresh_from_db()
    assert conference.premeeting_notes == "" and conference.meeting is None, "all or nothing"
    assert conference.wellbeing.get(scored_by="child").score == 2, "the referral's score is kept"


def test_the_pre_meeting_section_is_protected_against_a_colleagues_save(world):
    conference, client, url, data = _prepare_page(world)
    colleague = _client(world.facilitator)
    theirs = data | {"premeeting_notes": "Kollegaens noter"}
    assert colleague.post(url, theirs | {"save": "premeeting"}).status_code == 302

    mine = data | {"premeeting_notes": "Mine noter"}
    refused = client.post(url, mine | {"save": "premeeting"})
    html = refused.content.decode()
    assert refused.status_code == 200 and REFUSED in html
    assert "Kollegaens noter" in html and "Mine noter" in html
    assert client.post(url, mine | {"save": "premeeting"}).status_code == 200
    assert Conference.objects.get(pk=conference.pk).premeeting_notes == "Kollegaens noter"
    conflict = refused.context["form"].stale
    assert client.post(url, mine | {"save": "premeeting", conflict.keep_name: conflict.version}).status_code == 302
    assert Conference.objects.get(pk=conference.pk).premeeting_notes == "Mine noter"


def test_case_safety_concern_and_assessment_are_one_form(world):
    from kreds.cases import services as case_services

    case_services.set_safety_concern(actor=world.caseworker, case=world.case, concern=True)
    client = _client(world.caseworker)
    url = reverse("cases:safety", args=[world.case.public_id])
    page = client.get(url)
    data = post_data(page.context["concern_form"]) | post_data(page.context["risk_form"])
    written = "Mor og mormor er vurderet; far må ikke kende adressen"

    # Half an assessment, then "Save" on the concern: nothing is lost, nothing half-saved.
    response = client.post(url, data | {"summary": written, "form": "concern"})
    assert response.status_code == 200 and written in response.content.decode()
    assert not world.case.risk_assessments.exists()

    # The whole assessment, and "Save" on the concern again: the assessment is recorded with it.
    response = client.post(url, data | {"summary": written, "outcome": "proceed", "form": "concern"})
    assert response.status_code == 302
    assert world.case.risk_assessments.get().summary == written
