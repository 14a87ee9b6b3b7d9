"""Issue 14 §7: a colleague's change is never overwritten by a second click (kreds.core.stale).

Two users edit the same record. The second save is refused, showing what is saved now beside the user's own
text; saving again unchanged is refused again; only ticking "Save my changes over my colleague's" goes through,
and that save is audited as any other.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.cases.models import Child
from kreds.core import stale
from kreds.network import services as network_services
from kreds.network.constants import ConsentGiverRole
from kreds.network.models import Sector
from kreds.testing.clients import login_staff

REFUSED = "A colleague saved changes while you were writing"
KEEP = "Save my changes over my colleague's"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_staff(client, user)
    return client


def post_data(form: forms.BaseForm) -> dict[str, Any]:
    """What the browser sends for ``form`` as it is shown (its initial values)."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
            continue
        if value is None:
            continue
        if isinstance(value, Model):
            value = value.pk
        if isinstance(value, (list, tuple)):
            data[key] = [str(v.pk if isinstance(v, Model) else v) for v in value]
        elif isinstance(value, (datetime.date, datetime.time)):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)
    return data


def assert_stale_protocol(
    *,
    url: str,
    colleague_saves: Any,
    still_theirs: Any,
    now_mine: Any,
    me: Client,
    shown: tuple[str, ...],
    form_key: str = "form",
    mine: dict[str, Any] | None = None,
    data_of: Any = None,
    post_url: str = "",
    form_of: Any = None,
    rows: bool = True,
) -> Any:
    """The whole protocol for one form: returns the successful (deliberate) response. ``data_of(page)`` is what the
    user sends from the opened page (default: the form as shown, with ``mine``); ``form_of(response)`` the form."""
    opened = me.get(url)
    assert opened.status_code == 200
    data = data_of(opened) if data_of else post_data(opened.context[form_key]) | (mine or {})
    form_of = form_of or (lambda response: response.context[form_key])
    colleague_saves()

    refused = me.post(post_url or url, data)
    html = refused.content.decode()
    assert refused.status_code == 200, "a stale save is shown again, never silently redirected"
    assert REFUSED in html and KEEP in html
    for text in shown:
        assert text in html, f"{text!r} not shown beside each other"
    conflict = form_of(refused).stale
    assert bool(conflict.rows) == rows, "the fields that differ are listed"
    assert still_theirs()

    again = me.post(post_url or url, data)  # the same click again, nothing ticked
    assert again.status_code == 200 and REFUSED in again.content.decode()
    assert still_theirs(), "a second click never overwrites the colleague's change"

    kept = me.post(post_url or url, data | {conflict.keep_name: conflict.version})
    assert kept.status_code == 302, kept.content.decode()[:2000]
    assert now_mine()
    return kept


def test_network_person(world):
    network_services.record_map_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Lise (mor)",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        given_on=datetime.date(2026, 1, 5),
    )
    family = Sector.objects.get(municipality=world.municipality, key="family")
    inge = network_services.add_person(
        actor=world.caseworker, case=world.case, data={"name": "Inge", "relation": "mormor", "sector": family}
    )
    url = reverse("network:person_edit", args=[world.case.public_id, inge.public_id])
    colleague = _client(world.practitioner)

    def colleague_saves() -> None:
        form = colleague.get(url).context["form"]
        assert colleague.post(url, post_data(form) | {"relation": "moster"}).status_code == 302

    def relation() -> str:
        return network_services.current_version(inge).relation

    assert_stale_protocol(
        url=url,
        form_key="form",
        mine={"relation": "mormor (mors mor)"},
        colleague_saves=colleague_saves,
        still_theirs=lambda: relation() == "moster",
        now_mine=lambda: relation() == "mormor (mors mor)",
        me=_client(world.caseworker),
        shown=("moster", "mormor (mors mor)"),
    )
    event = AuditEvent.objects.filter(action=Action.NETWORK_PERSON_UPDATE, actor=world.caseworker).get()
    assert event.details["fields"] == ["relation"]


def test_case_edit(world):
    url = reverse("cases:edit", args=[world.case.public_id])
    colleague = _client(world.leader)

    def colleague_saves() -> None:
        form = colleague.get(url).context["form"]
        response = colleague.post(url, post_data(form) | {"address": "Lederens Vej 1"})
        assert response.status_code == 302, response.content.decode()[:3000]

    def address() -> str:
        return Child.objects.get(pk=world.case.child_id).address

    assert_stale_protocol(
        url=url,
        form_key="form",
        mine={"address": "Min Vej 2"},
        colleague_saves=colleague_saves,
        still_theirs=lambda: address() == "Lederens Vej 1",
        now_mine=lambda: address() == "Min Vej 2",
        me=_client(world.caseworker),
        shown=("Lederens Vej 1", "Min Vej 2"),
    )
    assert AuditEvent.objects.filter(action=Action.CHILD_UPDATE, actor=world.caseworker).exists()


def test_a_forged_keep_value_is_only_a_version():
    """The box's value is the version the user was shown; garbage falls back to the form's own version."""

    class F(forms.Form):
        version = forms.IntegerField()

    form = F({"version": "3", stale.KEEP_FIELD: "x"})
    assert form.is_valid()
    assert stale.expected_version(form) == 3
    form = F({"version": "3", stale.KEEP_FIELD: "5"})
    assert form.is_valid()
    assert stale.expected_version(form) == 5


def test_voice_words_and_pictures(world):
    """Words & Pictures had no version at all: the second save silently made a version over the colleague's."""
    from kreds.voice import selectors as voice_selectors
    from kreds.voice import services as voice_services

    voice_services.save_words_and_pictures(actor=world.caseworker, case=world.case, title="Hvorfor", text="Første")
    url = reverse("voice:words", args=[world.case.public_id])

    def text() -> str:
        return voice_selectors.words_and_pictures(world.case).text

    assert_stale_protocol(
        url=url,
        mine={"text": "Min historie"},
        colleague_saves=lambda: voice_services.save_words_and_pictures(
            actor=world.leader, case=world.case, title="Hvorfor", text="Lederens historie"
        ),
        still_theirs=lambda: text() == "Lederens historie",
        now_mine=lambda: text() == "Min historie",
        me=_client(world.caseworker),
        shown=("Lederens historie", "Min historie"),
    )
    assert AuditEvent.objects.filter(action=Action.VOICE_CHANGE, actor=world.caseworker).count() == 2


def _formset_data(formset: Any) -> dict[str, Any]:
    data = post_data(formset.management_form)
    for form in formset.forms:
        data |= post_data(form)
    return data


def test_safety_mapping_with_its_worry_statements(world):
    from kreds.safety import selectors as safety_selectors
    from kreds.safety import services as safety_services

    statement = {"who_worried": "Skolen", "about_what": "at Emma er alene", "if_nothing_changes": "mistrivsel"}
    safety_services.save_mapping(
        actor=world.caseworker,
        case=world.case,
        data={"strengths": "Mormor"},
        statements=[statement],
        expected_version=0,
    )
    url = reverse("safety:edit", args=[world.case.public_id])

    def colleague_saves() -> None:
        first = safety_selectors.mapping(world.case)
        key = str(first.statements.get().key)
        safety_services.save_mapping(
            actor=world.leader,
            case=world.case,
            data={"strengths": "Mormor og moster"},
            statements=[statement | {"key": key, "goal_child": "Emma er aldrig alene om aftenen"}],
            expected_version=1,
        )

    def data_of(page: Any) -> dict[str, Any]:
        data = post_data(page.context["form"]) | _formset_data(page.context["formset"])
        return data | {"strengths": "Mormor, og Emma har en god ven", "change_note": "Mine ændringer"}

    assert_stale_protocol(
        url=url,
        data_of=data_of,
        colleague_saves=colleague_saves,
        still_theirs=lambda: safety_selectors.mapping(world.case).version == 2,
        now_mine=lambda: safety_selectors.mapping(world.case).strengths == "Mormor, og Emma har en god ven",
        me=_client(world.caseworker),
        shown=("Mormor og moster", "Mormor, og Emma har en god ven", "Emma er aldrig alene om aftenen"),
    )


def test_the_childs_plan(world):
    """The plan is saved from the plan page (its form posts to its own address)."""
    from kreds.plans import services as plan_services
    from kreds.plans.models import ChildPlan

    today = timezone.localdate()
    plan_services.save_plan(actor=world.caseworker, case=world.case, decided_on=today, purpose="Trivsel")

    def purpose() -> str:
        return ChildPlan.objects.get(case=world.case).purpose

    assert_stale_protocol(
        url=reverse("plans:plan", args=[world.case.public_id]),
        post_url=reverse("plans:plan_save", args=[world.case.public_id]),
        form_key="plan_form",
        mine={"purpose": "Trivsel i skolen"},
        colleague_saves=lambda: plan_services.save_plan(
            actor=world.leader, case=world.case, decided_on=today, purpose="Trivsel hjemme", expected_version=1
        ),
        still_theirs=lambda: purpose() == "Trivsel hjemme",
        now_mine=lambda: purpose() == "Trivsel i skolen",
        me=_client(world.caseworker),
        shown=("Trivsel hjemme", "Trivsel i skolen"),
    )


def test_meeting_planning_and_notes(world):
    from kreds.meetings import services as meeting_services
    from kreds.meetings.forms import MeetingForm
    from kreds.meetings.models import Meeting
    from kreds.testing.meetings import planned_meeting

    meeting = planned_meeting(world.case, world.caseworker, world.facilitator).meeting

    def fresh() -> Meeting:
        return Meeting.objects.get(pk=meeting.pk)

    def colleague_plans() -> None:
        data = {k: v for k, v in MeetingForm.initial_from(fresh()).items() if k in meeting_services.PLANNING_FIELDS}
        start = fresh().starts_at
        data |= {"place": "Skolen, lokale 4", "starts_at": start, "ends_at": start + datetime.timedelta(hours=2)}
        meeting_services.update_meeting(actor=world.leader, meeting=fresh(), data=data, expected_version=1)

    assert_stale_protocol(
        url=reverse("meetings:edit", args=[meeting.public_id]),
        mine={"place": "Biblioteket"},
        colleague_saves=colleague_plans,
        still_theirs=lambda: fresh().place == "Skolen, lokale 4",
        now_mine=lambda: fresh().place == "Biblioteket",
        me=_client(world.caseworker),
        shown=("Skolen, lokale 4", "Biblioteket"),
    )

    def colleague_notes() -> None:
        meeting_services.save_notes(
            actor=world.caseworker,
            meeting=fresh(),
            notes={"descriptive": "Kollegaens noter"},
            authority_declared=False,
            expected_version=fresh().version,
        )

    assert_stale_protocol(
        url=reverse("meetings:run", args=[meeting.public_id]),
        mine={"notes_descriptive": "Mine noter"},
        colleague_saves=colleague_notes,
        still_theirs=lambda: fresh().notes_descriptive == "Kollegaens noter",
        now_mine=lambda: fresh().notes_descriptive == "Mine noter",
        me=_client(world.facilitator),
        shown=("Kollegaens noter", "Mine noter"),
    )
    assert AuditEvent.objects.filter(action=Action.MEETING_NOTES, actor=world.facilitator).exists()


def test_notes_carried_by_another_meeting_button_are_never_dropped(world):
    """The meeting screen sends the notes with "next speaker" and the other buttons (kreds.js). When they could
    not be saved, they were dropped without a word; now the screen is shown again with them as typed."""
    from kreds.meetings import services as meeting_services
    from kreds.meetings.models import Meeting
    from kreds.testing.meetings import planned_meeting

    meeting = planned_meeting(world.case, world.caseworker, world.facilitator).meeting
    me = _client(world.facilitator)
    carried = post_data(me.get(reverse("meetings:run", args=[meeting.public_id])).context["form"])
    meeting_services.save_notes(
        actor=world.caseworker,
        meeting=meeting,
        notes={"descriptive": "Kollegaens noter"},
        authority_declared=False,
        expected_version=meeting.version,
    )
    response = me.post(
        reverse("meetings:speaker", args=[meeting.public_id]),
        carried | {"notes_descriptive": "Mine noter fra mødet", "step": "next"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Mine noter fra mødet" in html and REFUSED in html
    assert Meeting.objects.get(pk=meeting.pk).notes_descriptive == "Kollegaens noter"

    too_long = carried | {"notes_descriptive": "x\x01y", "step": "next"}  # invalid: shown again, not dropped
    response = me.post(reverse("meetings:speaker", args=[meeting.public_id]), too_long)
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


def test_conference_referral(world):
    from kreds.conferences import services as conference_services
    from kreds.conferences.models import Conference
    from kreds.conferences.services import REFERRAL_FIELDS
    from kreds.testing.conferences import referred

    conference = referred(world.case, world.caseworker)

    def fresh() -> Conference:
        return Conference.objects.get(pk=conference.pk)

    def colleague_saves() -> None:
        data = {f: getattr(fresh(), f) for f in REFERRAL_FIELDS} | {"questions": "Kollegaens spørgsmål"}
        conference_services.update_referral(
            actor=world.caseworker, conference=fresh(), data=data, expected_version=fresh().version
        )

    assert_stale_protocol(
        url=reverse("conferences:referral_edit", args=[conference.public_id]),
        mine={"questions": "Mine spørgsmål"},
        colleague_saves=colleague_saves,
        still_theirs=lambda: fresh().questions == "Kollegaens spørgsmål",
        now_mine=lambda: fresh().questions == "Mine spørgsmål",
        me=_client(world.caseworker),
        shown=("Kollegaens spørgsmål", "Mine spørgsmål"),
    )


def test_contact_arrangement_and_candidate_status(world):
    from kreds.placements import services as placement_services
    from kreds.placements.models import Candidate, ContactArrangementVersion
    from kreds.testing.meetings import network_for

    people = network_for(world.case, world.caseworker)
    values = {"frequency": "Hver anden weekend", "mode": "visit", "support": "none"}
    contact = placement_services.save_contact(
        actor=world.caseworker, case=world.case, person=people["grandmother"], data=values
    )
    prefix = str(contact.public_id)[:8]

    def frequency() -> str:
        return ContactArrangementVersion.objects.get(contact=contact, valid_to__isnull=True).frequency

    def data_of(page: Any) -> dict[str, Any]:
        form = next(change for row, change, *_ in page.context["rows"] if row.contact == contact)
        return post_data(form) | {f"{prefix}-frequency": "Hver weekend"}

    def change_form(response: Any) -> Any:
        return next(change for row, change, *_ in response.context["rows"] if row.contact == contact)

    assert_stale_protocol(
        url=reverse("placements:contacts", args=[world.case.public_id]),
        post_url=reverse("placements:contact_change", args=[world.case.public_id, contact.public_id]),
        data_of=data_of,
        form_of=change_form,
        colleague_saves=lambda: placement_services.save_contact(
            actor=world.leader,
            case=world.case,
            person=people["grandmother"],
            data=values | {"frequency": "Hver tredje weekend"},
            expected_version=ContactArrangementVersion.objects.filter(contact=contact).count(),
        ),
        still_theirs=lambda: frequency() == "Hver tredje weekend",
        now_mine=lambda: frequency() == "Hver weekend",
        me=_client(world.caseworker),
        shown=("Hver tredje weekend", "Hver weekend"),
    )

    exploration = placement_services.start_exploration(
        actor=world.caseworker, case=world.case, started_on=timezone.localdate(), why="Mor er syg"
    )
    candidate = placement_services.add_candidate(
        actor=world.caseworker, exploration=exploration, person=people["grandmother"]
    )

    def status() -> str:
        return Candidate.objects.get(pk=candidate.pk).status

    today = timezone.localdate().isoformat()
    assert_stale_protocol(
        url=reverse("placements:candidate", args=[world.case.public_id, candidate.public_id]),
        post_url=reverse("placements:candidate_status", args=[world.case.public_id, candidate.public_id]),
        form_key="status_form",
        mine={"status": "not_suitable", "on": today, "reason": "Bor for langt væk"},
        colleague_saves=lambda: placement_services.set_status(
            actor=world.leader, candidate=candidate, status="contacted", on=timezone.localdate(), expected_version=1
        ),
        still_theirs=lambda: status() == "contacted",
        now_mine=lambda: status() == "not_suitable",
        me=_client(world.caseworker),
        shown=("Bor for langt væk",),
    )


def test_closing_a_case_changed_meanwhile(world):
    from kreds.cases import services as case_services
    from kreds.cases.models import Case

    def colleague_saves() -> None:
        case_services.update_case(
            actor=world.leader,
            case=world.case,
            expected_version=world.case.version,
            child_data={"address": "Ny vej"},
            case_data={},
        )

    assert_stale_protocol(
        url=reverse("cases:close", args=[world.case.public_id]),
        mine={"reason": "Familien klarer sig selv nu"},
        colleague_saves=colleague_saves,
        still_theirs=lambda: Case.objects.get(pk=world.case.pk).status == "open",
        now_mine=lambda: Case.objects.get(pk=world.case.pk).status == "closed",
        me=_client(world.caseworker),
        shown=("Familien klarer sig selv nu",),
        rows=False,
    )
