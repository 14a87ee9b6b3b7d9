"""The authorization matrix (SECURITY 1, 2): every URL pattern × every actor kind → expected outcome.

A URL pattern without a row here fails the suite, so a new view cannot ship without deciding who may use it.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership
from kreds.testing.factories import staff
from kreds.testing.files import png

ACTORS = [
    "anonymous",
    "outsider",  # another municipality
    "colleague",  # same municipality, not related to the case
    "facilitator",  # same municipality, facilitator role, not on the case
    "practitioner",  # unit practitioner; the case is referred to the unit
    "caseworker",  # assigned to the case
    "leader",  # leads the case's responsible unit
    "administrator",
]

OK = "ok"  # 2xx, or a redirect that is not to the login page
LOGIN = "login"  # redirect to login
NOT_FOUND = "404"
CLIENT_ERROR = "4xx"
REFUSED = "403"  # a refusal page that is not about who asks (the municipality's sign-on is not set up)


@dataclass
class Row:
    method: str
    kwargs: Callable[[object], dict[str, object]] = lambda w: {}
    expect: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    default: str = NOT_FOUND  # for actors not listed in expect (anonymous defaults to LOGIN)
    before_each: Callable[[object], None] | None = None  # restore state a previous actor changed
    data_fn: Callable[[object], dict[str, str]] | None = None


def everyone(outcome: str = OK, anonymous: str = LOGIN) -> dict[str, str]:
    return {a: (anonymous if a == "anonymous" else outcome) for a in ACTORS}


def case_kw(w) -> dict[str, object]:
    return {"public_id": w.case.public_id}


EDITORS = {"caseworker": OK, "leader": OK}
FACILITATOR = {"facilitator": OK}
CASE_READERS = {"caseworker": OK, "leader": OK, "practitioner": OK}
LISTERS = {"caseworker": OK, "colleague": OK, "practitioner": OK, "leader": OK, "outsider": OK}
ADMIN = {"administrator": OK}
NETWORK_EDITORS = {"caseworker": OK, "leader": OK, "practitioner": OK}
MEETING_READERS = {**CASE_READERS, "facilitator": OK}


def restricted_kw(w) -> dict[str, object]:
    return {"public_id": w.restricted_case.public_id}


def protection_kw(w) -> dict[str, object]:
    return {"public_id": w.case.public_id, "protection_id": w.protection.public_id}


def code_kw(w) -> dict[str, object]:
    return {"code": w.municipality.code}


@functools.cache
def _sp_pair():
    from kreds.sso import keys

    return keys.generate("Kreds matrix", bits=2048)


def sp_key(w) -> None:
    """The municipality's SAML service provider has a key (so its metadata exists)."""
    from kreds.sso import keys
    from kreds.sso.models import SignOn

    SignOn.objects.update_or_create(
        municipality=w.municipality,
        defaults={"sp_key_encrypted": keys.encrypt(_sp_pair().key_pem), "sp_certificate": _sp_pair().cert_pem},
    )


def rule_kw(w) -> dict[str, object]:
    """A rule giving a role for a privilege (made again after an administrator removed it)."""
    from kreds.sso.models import RoleRule

    rule, _ = RoleRule.objects.get_or_create(
        municipality=w.municipality, privilege="matrix-privilege", role=Role.CASEWORKER, unit=w.authority
    )
    return {"rule_id": rule.public_id}


def unit_kw(w) -> dict[str, object]:
    return {"unit_id": w.authority.public_id}


def meeting_kw(w) -> dict[str, object]:
    return {"meeting_id": w.meeting.public_id}


def held_kw(w) -> dict[str, object]:
    return {"meeting_id": w.held.public_id}


def participant_kw(w) -> dict[str, object]:
    return {"meeting_id": w.meeting.public_id, "participant_id": w.grandmother.public_id}


def spare_participant_kw(w) -> dict[str, object]:
    return {"meeting_id": w.meeting.public_id, "participant_id": w.spare_participant.public_id}


def letter_kw(w) -> dict[str, object]:
    from kreds.outbox.models import Outbox

    row = Outbox.objects.filter(meeting=w.held, channel="letter").order_by("pk").first()
    assert row is not None, "the matrix world's held meeting has letters (the child's invitation and minutes)"
    return {"meeting_id": w.held.public_id, "letter_id": row.pk}


def restore_spare_participant(w) -> None:
    from kreds.meetings.models import Participant

    Participant.objects.filter(pk=w.spare_participant.pk).update(removed_at=None)


def token_kw(w) -> dict[str, object]:
    from kreds.participants.services import token_for

    return {"token": token_for(w.held_grandmother.link)}


def planned_token_kw(w) -> dict[str, object]:
    from kreds.participants.services import token_for

    return {"token": token_for(w.grandmother.link)}


FGC_SERVICE = {"facilitator": OK, "leader": OK}
FGC_ROWS = ("conferences:", "case_conferences:")
CASEWORK_ROWS = ("safety:", "voice:", "plans:", "documents:", "deadlines:", "placements:", "placement_settings:")


def fgc_case_kw(w) -> dict[str, object]:
    return {"public_id": w.fgc_case.public_id}


def conference_kw(w) -> dict[str, object]:
    return {"conference_id": w.conference.public_id}


def queued_kw(w) -> dict[str, object]:
    return {"conference_id": w.queued.public_id}


def held_conference_kw(w) -> dict[str, object]:
    return {"conference_id": w.held_conference.public_id}


def invitee_kw(w) -> dict[str, object]:
    return {"conference_id": w.conference.public_id, "participant_id": w.invitee.public_id}


def held_item_kw(w) -> dict[str, object]:
    return {"conference_id": w.held_conference.public_id, "item_id": w.held_item.public_id}


def cost_kw(w) -> dict[str, object]:
    return {"conference_id": w.conference.public_id, "cost_id": w.cost_id}


def back_in_queue(w) -> None:
    from kreds.conferences.models import Conference

    Conference.objects.filter(pk=w.queued.pk).update(
        status="referred", coordinator=None, allocated_at=None, allocated_by=None
    )


def restore_cost(w) -> None:
    from decimal import Decimal

    from kreds.conferences.models import Cost

    Cost.objects.get_or_create(
        public_id=w.cost_id,
        defaults={
            "conference": w.conference,
            "category": "food",
            "quantity": Decimal(100),
            "rate": Decimal(1),
            "amount": Decimal(100),
            "recorded_by": w.caseworker,
        },
    )


MATRIX: dict[str, Row] = {
    # Public allowlist (SECURITY 1)
    "healthz": Row("get", expect=everyone(OK, anonymous=OK)),
    "set_language": Row("post", data={"language": "da", "next": "/"}, expect=everyone(OK, anonymous=OK)),
    "accessibility": Row("get", expect=everyone(OK, anonymous=OK)),
    # The demo's mailbox exists only in demo mode (tests/test_demo_mailbox.py); elsewhere it is a 404.
    "sent_mail": Row("get"),
    "sent_mail_attachment": Row("get", kwargs=lambda w: {"name": "20261205-120000-000000-0a1b2c3d.eml", "number": 0}),
    "accounts:login": Row("get", expect=everyone(OK, anonymous=OK)),
    "accounts:logout": Row("post", expect=everyone(LOGIN, anonymous=LOGIN)),  # always back to login
    # Any logged-in staff member
    "home": Row("get", expect=everyone()),
    "accounts:otp_verify": Row("get", expect=everyone()),
    "accounts:otp_enrol": Row("get", expect=everyone()),
    "accounts:security": Row("get", expect=everyone()),
    # Administration: administrators only, never case content
    "accounts:user_list": Row("get", expect=ADMIN),
    "accounts:user_create": Row("get", expect=ADMIN),
    "accounts:user_detail": Row("get", kwargs=lambda w: {"public_id": w.colleague.public_id}, expect=ADMIN),
    "accounts:user_action": Row(
        "post",
        kwargs=lambda w: {"public_id": w.colleague.public_id, "action": "afslut-sessioner"},
        expect=ADMIN,
    ),
    "accounts:membership_remove": Row(
        "post",
        kwargs=lambda w: {"public_id": w.spare.user.public_id, "membership_id": w.spare.public_id},
        expect=ADMIN,
    ),
    # Cases
    "cases:my_cases": Row("get", expect=LISTERS),
    "cases:create": Row("get", expect={"caseworker": OK, "colleague": OK, "leader": OK, "outsider": OK}),
    "cases:detail": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "cases:edit": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:close": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:reopen": Row("post", kwargs=case_kw, expect=EDITORS),
    "cases:archive": Row("get", kwargs=case_kw, expect=EDITORS),
    # The matrix world's case is open: the editors are sent back to the page saying so (the ZIP: test_archive.py).
    "cases:archive_zip": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:team": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:unassign": Row(
        "post", kwargs=lambda w: {"public_id": w.case.public_id, "user_id": w.caseworker.public_id}, expect=EDITORS
    ),
    "cases:refer": Row("post", kwargs=case_kw, expect=EDITORS),
    "cases:safety": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:reveal_cpr": Row("get", kwargs=case_kw, expect={"caseworker": OK}),
    # Restricted cases (issue 18): restricting is for those who edit the case; the named caseworker lifts it; the
    # leader of its unit, not named, opens it only through the break-the-glass form.
    "cases:restrict": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:unrestrict": Row("get", kwargs=restricted_kw, expect={"caseworker": OK}),
    "cases:break_glass": Row("get", kwargs=restricted_kw, expect={"leader": OK}),
    "cases:siblings": Row("get", kwargs=case_kw, expect=EDITORS),
    "cases:sibling_unlink": Row(
        "post",
        kwargs=lambda w: {"public_id": w.case.public_id, "child_id": w.sibling.public_id},
        expect=EDITORS,
        before_each=lambda w: w.case.child.siblings.add(w.sibling),
    ),
    "audit:case_access_log": Row("get", kwargs=case_kw, expect={"leader": OK}),
    "audit:security": Row("get", expect=ADMIN),
    "audit:role_changes": Row("get", expect={"leader": OK, "administrator": OK}),
    "network_settings:sectors": Row("get", expect=ADMIN),
    "network_settings:sector_edit": Row("get", kwargs=lambda w: {"sector_id": w.sector.public_id}, expect=ADMIN),
    # Network map (issue 3): readers of the case see it; the referred unit continues it (part 2)
    "network:map": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "network:list": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "network:compare": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "network:svg": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "network:pdf": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "network:consent": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "network:person_edit": Row(
        "get", kwargs=lambda w: {**case_kw(w), "person_id": w.person.public_id}, expect=CASE_READERS
    ),
    "network:person_add": Row("get", kwargs=case_kw, expect=NETWORK_EDITORS),
    "network:person_move": Row(
        "post",
        kwargs=lambda w: {**case_kw(w), "person_id": w.person.public_id},
        data={"ring": "1"},
        expect=NETWORK_EDITORS,
    ),
    "network:person_remove": Row(
        "post", kwargs=lambda w: {**case_kw(w), "person_id": w.person.public_id}, expect=NETWORK_EDITORS
    ),
    "network:relation_set": Row(
        "post",
        kwargs=lambda w: {**case_kw(w), "person_id": w.person.public_id},
        data_fn=lambda w: {"other": str(w.other_person.public_id), "kind": "knows"},
        expect=NETWORK_EDITORS,
    ),
    "network:consent_withdraw": Row(
        "post", kwargs=lambda w: {**case_kw(w), "consent_id": w.sharing.public_id}, expect=NETWORK_EDITORS
    ),
    # Network meetings (issue 4): the case's readers see them; the neutral facilitator sees and runs only the
    # meetings they lead, without access to the rest of the case.
    "meetings:mine": Row("get", expect=everyone()),
    "leaflet": Row("get", expect=everyone(OK, anonymous=OK)),
    "case_meetings:list": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "case_meetings:create": Row("get", kwargs=case_kw, expect=NETWORK_EDITORS),
    "meetings:detail": Row("get", kwargs=meeting_kw, expect=MEETING_READERS),
    "meetings:ics": Row("get", kwargs=meeting_kw, expect=MEETING_READERS),
    "meetings:edit": Row("get", kwargs=meeting_kw, expect=NETWORK_EDITORS),
    "meetings:cancel": Row("get", kwargs=meeting_kw, expect=NETWORK_EDITORS),
    "meetings:participants": Row("get", kwargs=meeting_kw, expect=NETWORK_EDITORS),
    "meetings:participant_edit": Row("get", kwargs=participant_kw, expect=NETWORK_EDITORS),
    "meetings:participant_move": Row("post", kwargs=participant_kw, data={"direction": "up"}, expect=NETWORK_EDITORS),
    "meetings:participant_remove": Row(
        "post", kwargs=spare_participant_kw, expect=NETWORK_EDITORS, before_each=restore_spare_participant
    ),
    "meetings:letter": Row("post", kwargs=letter_kw, expect=NETWORK_EDITORS),
    "meetings:letter_handled": Row("post", kwargs=letter_kw, expect=NETWORK_EDITORS),
    "meetings:link_revoke": Row("post", kwargs=participant_kw, expect=NETWORK_EDITORS),
    "meetings:invite": Row("post", kwargs=meeting_kw, expect=NETWORK_EDITORS),
    "meetings:run": Row("get", kwargs=meeting_kw, expect=FACILITATOR),
    "meetings:speaker": Row("post", kwargs=meeting_kw, expect=FACILITATOR),
    "meetings:attendance": Row("post", kwargs=meeting_kw, expect=FACILITATOR),
    "meetings:agreement_add": Row("post", kwargs=meeting_kw, expect=FACILITATOR),
    "meetings:complete": Row("post", kwargs=meeting_kw, expect=FACILITATOR),
    "meetings:agreement_remove": Row(
        "post",
        kwargs=lambda w: {"meeting_id": w.meeting.public_id, "agreement_id": w.draft_agreement.public_id},
        expect=FACILITATOR,
    ),
    "meetings:agreement_status": Row(
        "post",
        kwargs=lambda w: {"meeting_id": w.held.public_id, "agreement_id": w.held_agreement.public_id},
        data={"status": "in_progress"},
        expect={**NETWORK_EDITORS, **FACILITATOR},
    ),
    "meetings:minutes": Row("get", kwargs=held_kw, expect=MEETING_READERS),
    "meetings:minutes_pdf": Row("get", kwargs=held_kw, expect=MEETING_READERS),
    "meetings:minutes_send": Row("post", kwargs=held_kw, expect={**NETWORK_EDITORS, **FACILITATOR}),
    # What the child receives (issue 14) is the case's decision, not the neutral facilitator's; all may read it.
    "meetings:child_minutes": Row("post", kwargs=held_kw, data={"version": "child"}, expect=NETWORK_EDITORS),
    "meetings:child_minutes_pdf": Row("get", kwargs=held_kw, expect=MEETING_READERS),
    "meetings:export": Row("get", kwargs=held_kw, expect=EDITORS),
    "meetings:journalise": Row("post", kwargs=held_kw, expect=EDITORS),
    # Family group conferences (issue 5): the case's readers see them; the independent coordinator ("facilitator"
    # here) prepares and runs only the conference they coordinate, without access to the rest of the case; the
    # caseworker and the leader decide on the plan.
    "case_conferences:refer": Row("get", kwargs=fgc_case_kw, expect=NETWORK_EDITORS, default=NOT_FOUND),
    "conferences:queue": Row("get", expect=FGC_SERVICE),
    "conferences:figures": Row("get", expect=FGC_SERVICE),
    "conferences:allocate": Row(
        "post", kwargs=queued_kw, data={"take": "me"}, expect=FGC_SERVICE, before_each=back_in_queue
    ),
    "conferences:detail": Row("get", kwargs=conference_kw, expect=MEETING_READERS),
    "conferences:referral_edit": Row("get", kwargs=conference_kw, expect=EDITORS),
    "conferences:withdraw": Row("get", kwargs=conference_kw, expect=EDITORS),
    "conferences:close": Row("get", kwargs=conference_kw, expect={**EDITORS, **FACILITATOR}),
    "conferences:wellbeing": Row(
        "post", kwargs=conference_kw, data={"at": "referral"}, expect={**EDITORS, **FACILITATOR}
    ),
    "conferences:prepare": Row("get", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:schedule": Row("post", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:person_add": Row("get", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:invitee": Row("get", kwargs=invitee_kw, expect=FACILITATOR),
    "conferences:contact_add": Row("post", kwargs=invitee_kw, expect=FACILITATOR),
    "conferences:run": Row("get", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:information_add": Row("post", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:private_time": Row("post", kwargs=conference_kw, data={"action": "start"}, expect=FACILITATOR),
    "conferences:attendance": Row("post", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:item_add": Row("post", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:complete": Row("post", kwargs=conference_kw, expect=FACILITATOR),
    "conferences:item_remove": Row("post", kwargs=held_item_kw, expect=FACILITATOR),
    "conferences:item_review": Row("post", kwargs=held_item_kw, data={"outcome": "realised"}, expect=FACILITATOR),
    # The follow-up conference (issue 14): everyone who may view the conference sees it before the day; the
    # coordinator and the case's editors move or cancel it (an empty form changes nothing).
    "conferences:follow_up": Row("get", kwargs=held_conference_kw, expect=MEETING_READERS),
    "conferences:follow_up_move": Row("post", kwargs=held_conference_kw, expect={**EDITORS, **FACILITATOR}),
    "conferences:follow_up_cancel": Row("get", kwargs=held_conference_kw, expect={**EDITORS, **FACILITATOR}),
    "conferences:approval": Row("get", kwargs=held_conference_kw, expect=MEETING_READERS),
    "conferences:plan_pdf": Row("get", kwargs=held_conference_kw, expect=MEETING_READERS),
    "conferences:support": Row("post", kwargs=held_item_kw, data={"status": "available"}, expect=EDITORS),
    "conferences:decide": Row("post", kwargs=held_item_kw, data={"decision": "rejected"}, expect=EDITORS),
    "conferences:finalise": Row("post", kwargs=held_conference_kw, expect=EDITORS),
    "conferences:costs": Row("get", kwargs=conference_kw, expect={**EDITORS, **FACILITATOR}),
    "conferences:cost_remove": Row("post", kwargs=cost_kw, expect={**EDITORS, **FACILITATOR}, before_each=restore_cost),
    "conference_settings:edit": Row("get", expect=ADMIN),
    "fgc_leaflet": Row("get", expect=everyone(OK, anonymous=OK)),
    # Signs of Safety, the child's voice, the plan and who does what (issue 6): the case's readers see them; those
    # who work on the case (also the referred unit) record; the authority writes the plan and its goals.
    "safety:overview": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "safety:version": Row("get", kwargs=lambda w: {**case_kw(w), "number": 1}, expect=CASE_READERS),
    "safety:pdf": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "safety:plan": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "safety:edit": Row("get", kwargs=case_kw, expect=NETWORK_EDITORS),
    "safety:scaling_add": Row("post", kwargs=case_kw, expect=NETWORK_EDITORS),
    "safety:plan_agree": Row("post", kwargs=case_kw, expect=NETWORK_EDITORS),
    "safety:rule_add": Row("post", kwargs=case_kw, expect=NETWORK_EDITORS),
    "safety:rule_status": Row(
        "post", kwargs=lambda w: {**case_kw(w), "rule_id": w.rule.public_id}, expect=NETWORK_EDITORS
    ),
    # Protected details (issue 18): only those who see protected values record them
    "protection:list": Row("get", kwargs=case_kw, expect=EDITORS),
    "protection:add": Row("get", kwargs=case_kw, expect=EDITORS),
    "protection:edit": Row("get", kwargs=protection_kw, expect=EDITORS),
    "protection:end": Row("get", kwargs=protection_kw, expect=EDITORS),
    "voice:overview": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "voice:words_pdf": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "voice:houses_add": Row("get", kwargs=case_kw, expect=NETWORK_EDITORS),
    "voice:houses_checked": Row(
        "post", kwargs=lambda w: {**case_kw(w), "houses_id": w.houses.public_id}, expect=NETWORK_EDITORS
    ),
    "voice:link_issue": Row("post", kwargs=case_kw, expect=NETWORK_EDITORS),
    "voice:link_revoke": Row("post", kwargs=case_kw, expect=NETWORK_EDITORS),
    "voice:review": Row(
        "post", kwargs=lambda w: {**case_kw(w), "input_id": w.child_input.public_id}, expect=NETWORK_EDITORS
    ),
    "voice:words": Row("get", kwargs=case_kw, expect=NETWORK_EDITORS),
    "documents:download": Row("get", kwargs=lambda w: {"document_id": w.houses.drawing.public_id}, expect=CASE_READERS),
    "plans:plan": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "plans:tasks": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "plans:plan_pdf": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "plans:tasks_pdf": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "plans:plan_save": Row("post", kwargs=case_kw, expect=EDITORS),
    "plans:goal_add": Row("post", kwargs=case_kw, expect=EDITORS),
    "plans:goal_achieved": Row("post", kwargs=lambda w: {**case_kw(w), "goal_id": w.goal.public_id}, expect=EDITORS),
    "plans:goal_edit": Row("post", kwargs=lambda w: {**case_kw(w), "goal_id": w.goal.public_id}, expect=EDITORS),
    "plans:review_add": Row("post", kwargs=case_kw, expect=EDITORS),
    "plans:contribution_add": Row(
        "post", kwargs=lambda w: {**case_kw(w), "goal_id": w.goal.public_id}, expect=NETWORK_EDITORS
    ),
    "plans:contribution_status": Row(
        "post", kwargs=lambda w: {**case_kw(w), "contribution_id": w.contribution.public_id}, expect=NETWORK_EDITORS
    ),
    "plans:contribution_edit": Row(
        "post", kwargs=lambda w: {**case_kw(w), "contribution_id": w.contribution.public_id}, expect=NETWORK_EDITORS
    ),
    "plans:send_tasks": Row(
        "post", kwargs=lambda w: {**case_kw(w), "person_id": w.person.public_id}, expect=NETWORK_EDITORS
    ),
    "plans:person_letter": Row(
        "get", kwargs=lambda w: {**case_kw(w), "person_id": w.person.public_id}, expect=NETWORK_EDITORS
    ),
    "deadlines:list": Row("get", expect={"caseworker": OK, "colleague": OK, "leader": OK, "outsider": OK}),
    # Kinship placement and contact (issue 8): the case's readers see; the authority (caseworker, leader) acts.
    # Empty POSTs are refused with a message on the page (200) or a redirect, so nothing changes between actors.
    "placements:exploration": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "placements:start": Row("post", kwargs=case_kw, expect=EDITORS),
    "placements:add_candidate": Row(
        "post", kwargs=case_kw, data_fn=lambda w: {"person": str(w.grandmother_person.public_id)}, expect=EDITORS
    ),
    "placements:close": Row("post", kwargs=case_kw, expect=EDITORS),
    "placements:decide": Row("post", kwargs=case_kw, expect=EDITORS),
    "placements:candidate": Row(
        "get", kwargs=lambda w: {**case_kw(w), "candidate_id": w.candidate.public_id}, expect=CASE_READERS
    ),
    "placements:candidate_status": Row(
        "post", kwargs=lambda w: {**case_kw(w), "candidate_id": w.candidate.public_id}, expect=EDITORS
    ),
    "placements:candidate_check": Row(
        "post",
        kwargs=lambda w: {**case_kw(w), "candidate_id": w.candidate.public_id, "key": "home_visit"},
        expect=EDITORS,
    ),
    "placements:candidate_document": Row(
        "post", kwargs=lambda w: {**case_kw(w), "candidate_id": w.candidate.public_id}, expect=EDITORS
    ),
    "placements:contacts": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "placements:contacts_pdf": Row("get", kwargs=case_kw, expect=CASE_READERS),
    "placements:contact_add": Row("post", kwargs=case_kw, expect=EDITORS),
    "placements:contact_change": Row(
        "post", kwargs=lambda w: {**case_kw(w), "contact_id": w.contact.public_id}, expect=EDITORS
    ),
    "placements:suspend": Row(
        "post", kwargs=lambda w: {**case_kw(w), "contact_id": w.contact.public_id}, expect=EDITORS
    ),
    "placements:end_suspension": Row(
        "post",
        kwargs=lambda w: {**case_kw(w), "contact_id": w.contact.public_id, "suspension_id": w.suspension.public_id},
        expect=EDITORS,
    ),
    "placement_settings:edit": Row("get", expect=ADMIN),
    # The municipality's sign-on (issue 17): open to everyone as a login page is; what they accept is decided by
    # the identity provider's signature. Eksempel Kommune has no login set up here: a polite refusal (403), and the
    # logout hand-over leads back to the login page.
    # The service provider's metadata is public by design (entity id, endpoints, certificate), once it has a key.
    "sso:saml_metadata": Row("get", kwargs=code_kw, expect=everyone(OK, anonymous=OK), before_each=sp_key),
    "sso:saml_login": Row("get", kwargs=code_kw, expect=everyone(REFUSED, anonymous=REFUSED)),
    "sso:saml_acs": Row("post", kwargs=code_kw, expect=everyone(REFUSED, anonymous=REFUSED)),
    "sso:saml_sls": Row("get", kwargs=code_kw, expect=everyone(REFUSED, anonymous=REFUSED)),
    "sso:single_logout": Row("get", expect=everyone(LOGIN, anonymous=LOGIN)),
    "sso:oidc_login": Row("get", kwargs=code_kw, expect=everyone(REFUSED, anonymous=REFUSED)),
    "sso:oidc_callback": Row("get", expect=everyone(REFUSED, anonymous=REFUSED)),
    "sso:settings": Row("get", expect=ADMIN),
    "sso:rule_remove": Row("post", kwargs=rule_kw, expect=ADMIN),
    # Leadership insights (issue 7): the unit's leaders; everyone else gets 404 for the unit. The index explains.
    "insights:index": Row("get", expect=everyone(OK)),
    "insights:unit": Row("get", kwargs=unit_kw, expect={"leader": OK}),
    "insights:figure": Row("get", kwargs=lambda w: {**unit_kw(w), "key": "coverage"}, expect={"leader": OK}),
    "insights:export_csv": Row("get", kwargs=unit_kw, expect={"leader": OK}),
    "insights:export_xlsx": Row("get", kwargs=unit_kw, expect={"leader": OK}),
    # Personal links: the token is the credential, whoever holds it (staff sessions change nothing).
    "participants:home": Row("get", kwargs=token_kw, expect=everyone(OK, anonymous=OK)),
    "participants:ics": Row("get", kwargs=token_kw, expect=everyone(OK, anonymous=OK)),
    "participants:minutes": Row("get", kwargs=token_kw, expect=everyone(OK, anonymous=OK)),
    "participants:evaluation": Row("get", kwargs=token_kw, expect=everyone(OK, anonymous=OK)),
    "participants:rsvp": Row(
        "post", kwargs=planned_token_kw, data={"answer": "yes"}, expect=everyone(OK, anonymous=OK)
    ),
}


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL pattern {p.pattern} has no name; every URL needs a name and a matrix row"
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_has_a_matrix_row():
    names = all_url_names()
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"URL patterns without an authorization matrix row: {missing}"
    assert not stale, f"Matrix rows for URL patterns that no longer exist: {stale}"


def classify(response) -> str:
    if response.status_code in (301, 302, 303):
        return LOGIN if "/konto/log-ind/" in response["Location"] else OK
    if 200 <= response.status_code < 300:
        return OK
    if response.status_code == 404:
        return NOT_FOUND
    return f"{response.status_code}"


@pytest.fixture
def matrix_world(world):
    # A sibling to unlink, and a spare membership an administrator may remove.
    from kreds.testing.factories import CaseFactory

    sibling_case = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    world.case.child.siblings.add(sibling_case.child)
    world.sibling = sibling_case.child
    spare_user = staff(world.authority, Role.PRACTITIONER, username="spare")
    world.spare = Membership.objects.get(user=spare_user)
    # A network map with consent, two persons and a sharing consent.
    import datetime

    from kreds.consent.services import give_consent
    from kreds.network import services as network
    from kreds.network.models import Sector

    network.record_map_consent(
        actor=world.caseworker, case=world.case, given_by="Mor", role="parent", given_on=datetime.date(2026, 1, 1)
    )
    family = Sector.objects.get(municipality=world.municipality, key="family")
    world.sector = family
    world.person = network.add_person(
        actor=world.caseworker, case=world.case, data={"name": "Inge", "relation": "mormor", "sector": family}
    )
    world.other_person = network.add_person(
        actor=world.caseworker, case=world.case, data={"name": "Ole", "relation": "onkel", "sector": family}
    )
    from kreds.cases.services import restrict_case
    from kreds.testing.factories import assign

    world.restricted_case = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    assign(world.restricted_case, world.caseworker)
    world.restricted_case.referred_units.add(world.family_centre)
    restrict_case(actor=world.caseworker, case=world.restricted_case, reason="Kollegas barn", staff=[])
    from kreds.protection.services import add_protection

    world.protection = add_protection(
        actor=world.caseworker,
        case=world.case,
        data={"person": world.other_person, "address": True, "reason": "cpr"},
        barred=[world.person],
    )
    world.sharing = give_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Mor",
        role="parent",
        categories=["minutes"],
        recipients=[world.person],
        purpose="Møde",
        given_on=datetime.date(2026, 1, 1),
    )
    # Meetings: one planned (facilitated by the neutral facilitator), one held with minutes sent.
    from django.utils import timezone

    from kreds.meetings import services as meetings
    from kreds.outbox.models import Outbox
    from kreds.testing.meetings import held_meeting, planned_meeting

    planned = planned_meeting(world.case, world.caseworker, world.facilitator)
    world.meeting = planned.meeting
    world.grandmother = planned.participants["mormor"]
    meetings.ensure_link(world.grandmother, actor=world.caseworker)
    world.spare_participant = planned.participants["klasselærer"]
    Outbox.objects.create(
        key="matrix-spare",
        kind="invitation",
        meeting=world.meeting,
        participant=world.spare_participant,
        sent_at=timezone.now(),
    )
    # Agreements are made once a meeting has begun; this one stands in for one made at the planned meeting.
    from kreds.meetings.models import Agreement

    world.draft_agreement = Agreement.objects.create(
        case=world.case,
        meeting=world.meeting,
        responsible=world.grandmother,
        responsible_name=world.grandmother.name,
        person=world.grandmother.person,
        what="Ringer til skolen",
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        created_by=world.facilitator,
    )
    held = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    world.held = held.meeting
    world.held_agreement = world.held.agreements.get()
    world.held_grandmother = held.participants["mormor"]
    world.held_grandmother.refresh_from_db()
    return world


@pytest.fixture
def fgc_world(world):
    """Family group conferences on cases of their own, coordinated by the world's facilitator, who must not know
    those cases (world.case has meetings they led): one in the queue, one in preparation, one held."""
    from kreds.conferences import services as conferences
    from kreds.testing.conferences import held, prepared, referred
    from kreds.testing.factories import CaseFactory, assign

    w = world

    def new_case():
        case = CaseFactory(municipality=w.municipality, responsible_unit=w.authority)
        assign(case, w.caseworker)
        case.referred_units.add(w.family_centre)
        return case

    w.fgc_case = new_case()
    w.queued = referred(new_case(), w.caseworker)
    setup = prepared(w.fgc_case, w.caseworker, w.facilitator)
    w.conference = setup.conference
    w.invitee = setup.participants["mormor"]
    w.cost_id = conferences.add_cost(
        actor=w.caseworker, conference=w.conference, category="food", quantity="100"
    ).public_id
    held_setup = held(new_case(), w.caseworker, w.facilitator)
    w.held_conference = held_setup.conference
    w.held_item = held_setup.items[0]
    return w


# Pages that show a child's data: everything under a case, a meeting, a conference, a document and a personal link.
CHILD_PAGES = re.compile(r"^/(sager|moeder|familieraadslagning|dokumenter|l)/[0-9a-zA-Z-]{20,}/")


def _mismatches(name: str, world, client, login) -> list[str]:
    """Each actor's outcome against the row, and (SECURITY 16.3.2, issue 13 §2) two audit rules for every
    request: a page showing a child's data that answers 200 wrote a read event naming the child; a refused
    signed-in request (404) wrote an ``authz.denied`` event."""
    from kreds.audit.constants import READ_ACTIONS, Action
    from kreds.audit.models import AuditEvent

    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world))
    mismatches = []
    for actor in ACTORS:
        client.logout()
        if row.before_each:
            row.before_each(world)
        if actor != "anonymous":
            login(getattr(world, actor))
        expected = row.expect.get(actor, LOGIN if actor == "anonymous" else row.default)
        data = row.data_fn(world) if row.data_fn else row.data
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = getattr(client, row.method)(url, data=data)
        outcome = classify(response)
        if outcome != expected:
            mismatches.append(f"{name} {url}: {actor}: expected {expected}, got {outcome} ({response.status_code})")
        events = AuditEvent.objects.filter(seq__gt=last)
        if row.method == "get" and response.status_code == 200 and CHILD_PAGES.match(url):
            reads = events.filter(action__in=[*READ_ACTIONS, Action.LINK_VIEW]).exclude(person_concerned="")
            if not reads.exists():
                mismatches.append(f"{name} {url}: {actor}: shows a child's data but wrote no read event")
        if (
            actor != "anonymous"
            and response.status_code == 404
            and not events.filter(action=Action.ACCESS_DENIED).exists()
        ):
            mismatches.append(f"{name} {url}: {actor}: refused (404) but no authz.denied event")
    return mismatches


@pytest.fixture
def casework_world(world, settings, tmp_path):
    """A mapping, a safety rule, the child's voice (with a drawing), a plan with a goal and a contribution."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kreds.plans import services as plans
    from kreds.safety import services as safety
    from kreds.testing.meetings import network_for
    from kreds.voice import services as voice

    settings.UPLOAD_ROOT = tmp_path
    w = world
    people = network_for(w.case, w.caseworker)
    w.person = people["grandmother"]
    statement = {"who_worried": "Skolen", "about_what": "fravær", "if_nothing_changes": "Emma falder fra"}
    safety.save_mapping(
        actor=w.caseworker, case=w.case, data={"strengths": "Mormor"}, statements=[statement], expected_version=0
    )
    w.rule = safety.add_rule(actor=w.caseworker, case=w.case, rule="Ringer hver aften", responsible=w.person)
    today = timezone.localdate()
    w.houses = voice.record_three_houses(
        actor=w.caseworker,
        case=w.case,
        data={"dreams": "En hund", "parents_consent_by": "Mor", "parents_consent_on": today},
        drawing=SimpleUploadedFile("tegning.png", png()),
    )
    link = voice.issue_child_link(actor=w.caseworker, case=w.case)
    w.child_input = voice.submit_child_input(link=link, data={"dreams": "En hund"})
    voice.save_words_and_pictures(actor=w.caseworker, case=w.case, title="Hvorfor", text="Fordi")
    plans.save_plan(actor=w.caseworker, case=w.case, decided_on=today, purpose="")
    w.goal = plans.add_goal(actor=w.caseworker, case=w.case, area="school", text="Skole")
    w.contribution = plans.add_contribution(actor=w.caseworker, goal=w.goal, what="Lektier", person=w.person)
    plans.ensure_person_link(actor=w.caseworker, case=w.case, person=w.person)
    # Issue 8: an exploration with the uncle as candidate, a contact arrangement with the mother, suspended.
    from kreds.network import services as network
    from kreds.placements import services as placements

    w.grandmother_person = w.person
    uncle = network.add_person(
        actor=w.caseworker,
        case=w.case,
        data={"name": "Ole", "relation": "onkel", "sector": w.person.versions.first().sector},
    )
    exploration = placements.start_exploration(actor=w.caseworker, case=w.case, started_on=today, why="Mor er syg")
    w.candidate = placements.add_candidate(actor=w.caseworker, exploration=exploration, person=uncle)
    w.contact = placements.save_contact(
        actor=w.caseworker,
        case=w.case,
        person=people["mother"],
        data={"frequency": "Hver anden weekend", "mode": "visit", "support": "none"},
    )
    w.suspension = placements.suspend(
        actor=w.caseworker, contact=w.contact, starts_on=today, ends_on=today, child_request="Vil ikke i weekenden"
    )
    return w


def test_authorization_matrix_for_casework(casework_world, client, login, subtests):
    """Issue 6's rows share one world; refused requests change nothing, and accepted ones leave what the next
    actor needs (a second review, a second mail the same day are refused with a message, still a redirect)."""
    for name in sorted(n for n in MATRIX if n.startswith(CASEWORK_ROWS)):
        with subtests.test(msg=name):
            mismatches = _mismatches(name, casework_world, client, login)
            assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("name", sorted(n for n in MATRIX if not n.startswith(FGC_ROWS + CASEWORK_ROWS)))
def test_authorization_matrix(name, matrix_world, client, login):
    mismatches = _mismatches(name, matrix_world, client, login)
    assert not mismatches, "\n".join(mismatches)


def test_authorization_matrix_for_conferences(fgc_world, client, login, subtests):
    """The conference rows share one world, because building it takes a while; every row leaves it as it was
    (refused requests change nothing, and rows that do change something restore it in ``before_each``)."""
    for name in sorted(n for n in MATRIX if n.startswith(FGC_ROWS)):
        with subtests.test(msg=name):
            mismatches = _mismatches(name, fgc_world, client, login)
            assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("name", ["cases:detail", "cases:edit", "cases:reveal_cpr", "audit:case_access_log"])
def test_foreign_municipality_case_is_404_for_everyone_here(name, matrix_world, client, login):
    url = reverse(name, kwargs={"public_id": matrix_world.other_case.public_id})
    for actor in ACTORS[2:]:
        login(getattr(matrix_world, actor))
        assert client.get(url).status_code == 404, actor


def test_unknown_object_is_404(matrix_world, client, login):
    login(matrix_world.caseworker)
    assert client.get(reverse("cases:detail", kwargs={"public_id": uuid.uuid4()})).status_code == 404
