"""Whether the three houses are used reads every channel (issue 14 §3): a child who answered the houses on their own
page has used them, on the staff page, on the case overview and at every meeting about them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kreds.participants.services import token_for
from kreds.testing.meetings import planned_meeting
from kreds.voice import selectors, services
from kreds.voice.models import ChildInput

pytestmark = pytest.mark.django_db


def _answer_on_own_page(world, client, **answers) -> ChildInput:
    link = services.issue_child_link(actor=world.caseworker, case=world.case)
    url = reverse("participants:home", kwargs={"token": token_for(link)})
    assert client.post(url, answers).status_code == 302
    return ChildInput.objects.order_by("-id").first()


def test_houses_answered_through_the_link_count_as_used(world, client, login):
    answer = _answer_on_own_page(world, client, dreams="At få en hund", worries="Når mor græder")
    login(world.caseworker)
    html = client.get(reverse("voice:overview", args=[world.case.public_id])).content.decode()
    assert "No Three Houses yet." not in html
    assert "answered the three houses on their own page" in html
    assert "No talk with the child about the three houses is recorded yet." in html
    services.review_child_input(actor=world.caseworker, child_input=answer, note="")
    overview = client.get(reverse("cases:detail", args=[world.case.public_id])).content.decode()
    assert "not recorded yet" not in overview, "the case overview panel reads the child's page too"
    assert "At få en hund" in overview


def test_no_answers_and_no_talk_still_says_so(world, client, login):
    login(world.caseworker)
    html = client.get(reverse("voice:overview", args=[world.case.public_id])).content.decode()
    assert "No Three Houses yet." in html
    _answer_on_own_page(world, client, who_to_meeting="Mormor")  # answered, but not in the houses
    html = client.get(reverse("voice:overview", args=[world.case.public_id])).content.decode()
    assert "No Three Houses yet." in html


def test_the_houses_from_the_childs_page_reach_the_meeting(world, client, login):
    _answer_on_own_page(world, client, good_things="Fodbold med Bent")
    _answer_on_own_page(world, client, who_to_meeting="Mormor")  # a later answer without the houses
    voice = selectors.latest_voice(world.case)
    assert voice["page_houses"].good_things == "Fodbold med Bent"
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    html = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert "Fodbold med Bent" in html and "Mormor" in html
