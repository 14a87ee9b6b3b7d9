"""Personal links (DOMAIN §11): unguessable, hashed, expiring, revocable, rate-limited and scoped."""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from kreds.audit.models import AuditEvent
from kreds.consent.models import SharingConsent
from kreds.consent.services import withdraw_consent
from kreds.core.logging import redact
from kreds.meetings import services
from kreds.meetings.models import Agreement, Evaluation
from kreds.participants.models import ParticipantLink
from kreds.participants.services import hash_token, token_for
from kreds.testing.meetings import held_meeting, planned_meeting

pytestmark = pytest.mark.django_db


def _url(participant, name="participants:home"):
    participant.refresh_from_db()
    services.ensure_link(participant, actor=None)
    return reverse(name, kwargs={"token": token_for(participant.link)})


@pytest.fixture
def held(world):
    # One agreement, held by the grandmother; minutes approved and sent.
    return held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)


def test_token_is_long_and_only_its_hash_is_stored(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    link = services.ensure_link(setup.participants["mormor"], actor=world.caseworker)
    token = token_for(link)
    assert len(token) == 64 and int(token, 16).bit_length() > 128
    assert link.token_hash == hash_token(token) and link.token_hash != token
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM participants_participantlink")
        rows = cursor.fetchall()
    assert token not in repr(rows)


def test_page_shows_invitation_and_rsvp_without_javascript(world, client):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    url = _url(setup.participants["mormor"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Medborgerhuset" in html and "god skolegang" in html and "Sara Mor" in html
    assert "<script" not in html
    assert "sara@example.invalid" not in html  # other participants' contact details are never shown
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action="link.view", actor_label=f"link:{setup.participants['mormor'].public_id}"
    ).exists()
    rsvp = reverse("participants:rsvp", kwargs={"token": url.split("/")[2]})
    response = client.post(rsvp, {"answer": "yes", "message": "Jeg tager kage med"})
    assert response.status_code == 302
    grandmother = setup.participants["mormor"]
    grandmother.refresh_from_db()
    assert grandmother.rsvp == "yes" and grandmother.rsvp_message == "Jeg tager kage med"


def test_bad_rsvp_keeps_what_was_typed(world, client):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    url = _url(setup.participants["mormor"], "participants:rsvp")
    response = client.post(url, {"message": "Min besked"})
    assert response.status_code == 400 and "Min besked" in response.content.decode()


def test_expired_and_revoked_links_do_not_work(world, client):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    link = services.ensure_link(setup.participants["mormor"], actor=world.caseworker)
    url = _url(setup.participants["mormor"])
    assert client.get(url).status_code == 200
    with time_machine.travel(link.expires_at + datetime.timedelta(minutes=1)):
        assert client.get(url).status_code == 404
    client.post(
        reverse("meetings:link_revoke", args=[setup.meeting.public_id, setup.participants["mormor"].public_id])
    )  # anonymous: refused (login)
    assert client.get(url).status_code == 200
    from kreds.participants.services import revoke

    revoke(link, reason="test")
    response = client.get(url)
    assert response.status_code == 404 and "does not work" in response.content.decode()


def test_unknown_token_looks_like_an_expired_one(client):
    assert client.get(reverse("participants:home", kwargs={"token": "0" * 64})).status_code == 404
    assert client.get(reverse("participants:home", kwargs={"token": "short"})).status_code == 404


def test_bad_tokens_are_rate_limited_per_ip(world, client, settings):
    settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP = 3
    codes = [client.get(reverse("participants:home", kwargs={"token": f"{i:064x}"})).status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_each_link_is_rate_limited(world, client, settings):
    settings.PARTICIPANT_LINK_RATE_PER_LINK = 2
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    url = _url(setup.participants["mormor"])
    codes = [client.get(url).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(url)["Retry-After"]


def test_link_shows_only_its_holders_agreements_and_minutes(held, world, client):
    meeting = held.meeting
    teacher = held.participants["klasselærer"]
    services_agreement = Agreement.objects.get(meeting=meeting)
    assert services_agreement.responsible == held.participants["mormor"]
    grandmother_page = client.get(_url(held.participants["mormor"])).content.decode()
    teacher_page = client.get(_url(teacher)).content.decode()
    assert "Henter Emma fra skole" in grandmother_page
    assert "Henter Emma fra skole" not in teacher_page
    assert client.get(_url(teacher, "participants:minutes")).content.startswith(b"%PDF")


def test_a_link_never_opens_another_meeting(held, world, client):
    other = planned_meeting(world.case, world.caseworker, world.facilitator, purpose="Et helt andet formål")
    page = client.get(_url(held.participants["mormor"])).content.decode()
    assert "Et helt andet formål" not in page
    other_page = client.get(_url(other.participants["mormor"])).content.decode()
    assert "Henter Emma fra skole" not in other_page


def test_without_consent_the_minutes_and_details_are_withheld(held, world, client):
    for consent in SharingConsent.objects.filter(case=world.case):
        withdraw_consent(actor=world.caseworker, consent=consent)
    grandmother = held.participants["mormor"]
    page = client.get(_url(grandmother)).content.decode()
    assert "Medborgerhuset" not in page and "Sara Mor" not in page
    assert client.get(_url(grandmother, "participants:minutes")).status_code == 404
    assert client.get(_url(grandmother, "participants:ics")).status_code == 404
    # A parent is a party to the case: no consent needed.
    assert client.get(_url(held.participants["mor"], "participants:minutes")).status_code == 200


def test_evaluation_adult_and_child_forms(held, world, client):
    url = _url(held.participants["mormor"], "participants:evaluation")
    answers = {"heard": "5", "knew_purpose": "4", "realistic": "4", "own_part_clear": "5", "satisfaction": "5"}
    response = client.post(url, {**answers, "heard": ""})
    assert response.status_code == 200 and Evaluation.objects.count() == 0
    assert client.post(url, {**answers, "comment": "Tak"}).status_code == 302
    assert client.get(url).status_code == 302  # answered once
    child_url = _url(held.participants["child"], "participants:evaluation")
    assert "😊" in client.get(child_url).content.decode()
    client.post(
        child_url, {"heard": "5", "knew_purpose": "3", "realistic": "5", "own_part_clear": "1", "satisfaction": "5"}
    )
    child = Evaluation.objects.get(child_form=True)
    assert child.own_part_clear == 1


def test_evaluation_is_closed_before_the_meeting(world, client):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    assert client.get(_url(setup.participants["mormor"], "participants:evaluation")).status_code == 302


def test_tokens_are_redacted_from_logs(world, caplog):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    url = _url(setup.participants["mormor"])
    token = url.split("/")[2]
    assert token not in redact(f"GET {url} 200")
    from kreds.core.logging import RedactCprFilter

    logger = logging.getLogger("kreds.test.links")
    logger.addFilter(RedactCprFilter())
    with caplog.at_level(logging.INFO, logger="kreds.test.links"):
        logger.info("GET %s", url)
    assert token not in caplog.text and "/l/[LINK]" in caplog.text


def test_removed_participant_link_stops(world, client):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    url = _url(setup.participants["klasselærer"])
    services.remove_participant(actor=world.caseworker, participant=setup.participants["klasselærer"])
    assert client.get(url).status_code == 404
    assert not ParticipantLink.objects.filter(revoked_at__isnull=True, holder_name="Jonas Lærer").exists()
