"""The crawler (SECURITY 31, issue 13 §7): every demo actor follows every same-site link, breadth-first, on the seeded
demo with hostile text already stored; then every page found is replayed as every other actor.

It fails on:
* any 5xx, for anyone, anywhere;
* a page that answers 200 to an actor the policy refuses: an object of another municipality, a case the actor may
  not see (unless they lead that meeting or coordinate that conference), a user or unit page for someone who may
  not administer or lead it, a staff page for a link holder;
* a page body holding the full name of a child whose case the actor may not see (lists, search, figures, digests
  of deadlines: "Statistics never reveal a child's identity", DOMAIN §12);
* a GET URL pattern that no actor reached, unless it is listed in :data:`UNREACHED` with the reason.
"""

from __future__ import annotations

import html
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import resolve

from tests.probe import LINK_HOLDERS, Actor, Crawler, actors, case_of, object_for, seed, server_errors
from tests.test_authz_matrix import MATRIX, OK

# GET patterns no link on any page leads to, each with the reason. A pattern reached by the crawler must not be
# listed here (the list stays honest).
UNREACHED: dict[str, str] = {
    "healthz": "for the load balancer and monitoring, not linked from any page",
    "accounts:otp_verify": "only shown right after a password login; the crawler's sessions have passed TOTP",
    "accounts:otp_enrol": "only shown to a local account without a device; the crawler's actors have one",
    "conferences:approval": "only while a conference waits for the caseworker's decisions; the demo's conferences "
    "are in the queue, in preparation, approved and followed up (the conference journey and the matrix open it)",
    "sent_mail": "only in demo mode (tests/test_demo_mailbox.py); the suite runs without it",
    "sent_mail_attachment": "only in demo mode (tests/test_demo_mailbox.py)",
    "sso:saml_sls": "the identity provider's single logout messages; sso/tests/test_saml_flow.py sends them",
    "sso:single_logout": "only right after logging out of a SAML login (the crawler never logs out); "
    "sso/tests/test_saml_flow.py and the sign-on browser journey follow it",
    "sso:oidc_login": "linked from the login page only when OpenID Connect is set up (the demo uses SAML); "
    "sso/tests/test_oidc_flow.py",
    "sso:oidc_callback": "the OpenID Connect provider's redirect back; sso/tests/test_oidc_flow.py",
    "plans:person_letter": "shown after 'send the list' to a person without e-mail (a POST); the hostile-input test "
    "sends that form",
}

# Pages that link to the rest: every case of the demo has its own mix of content (a mapping, a drawing, a
# placement, a conference), so the crawler opens more of these than of other pages (a few actors open all).
HUBS = {"cases:detail": 30, "meetings:detail": 6, "conferences:detail": 6}
DEEP = {
    **HUBS,
    **dict.fromkeys(
        [
            "safety:overview",
            "voice:overview",
            "placements:exploration",
            "placements:contacts",
            "plans:plan",
            "conferences:detail",
        ],
        30,
    ),
}
DEEP_ACTORS = {"leder", "familiecenter"}

# Anyone may open these (the public allowlist, pinned in tests/test_security.py).
PUBLIC = {name for name, row in MATRIX.items() if row.expect.get("anonymous") == OK}


def _get_patterns() -> set[str]:
    return {name for name, row in MATRIX.items() if row.method == "get"}


class Oracle:
    """Who may see what, from the objects a URL names (independent of the views' own checks)."""

    def __init__(self) -> None:
        from kreds.cases.models import Case

        self.cases = {c.pk: c for c in Case.objects.select_related("child")}
        self._allowed_cases: dict[str, set[int]] = {}
        self._objects: dict[str, object] = {}

    def allowed_cases(self, actor: Actor) -> set[int]:
        """Cases whose child the actor may see: visible cases, and those of meetings they lead or conferences
        they coordinate; a link holder's own case."""
        if actor.name not in self._allowed_cases:
            from kreds.cases.policies import hidden_restricted, openable_cases
            from kreds.conferences.models import Conference
            from kreds.meetings.models import Meeting

            if actor.user is None:
                ids: set[int] = set()
            else:
                user = actor.user
                # Cases the actor may open: a restricted case they are not named on is shown to them as
                # "Begrænset sag" only, so its child's name counts as hidden (issue 18).
                ids = set(openable_cases(user).values_list("pk", flat=True))
                led = set(Meeting.objects.filter(facilitator=user).values_list("case_id", flat=True))
                led |= set(Meeting.objects.filter(minute_taker=user).values_list("case_id", flat=True))
                led |= set(Conference.objects.filter(coordinator=user).values_list("case_id", flat=True))
                ids |= led - set(hidden_restricted(user).values_list("case_id", flat=True))
            self._allowed_cases[actor.name] = ids
        return self._allowed_cases[actor.name]

    def obj(self, value: str) -> object:
        if value not in self._objects:
            self._objects[value] = object_for(value)
        return self._objects[value]

    def refusal(self, actor: Actor, url: str) -> str:
        """Why the policy refuses ``actor`` the page at ``url`` ('' when it may be allowed)."""
        from kreds.accounts.constants import Role
        from kreds.accounts.models import User
        from kreds.authz.policies import is_administrator, unit_ids_with_role
        from kreds.cases.policies import can_see_case, leads_case_unit, shut_out
        from kreds.conferences.models import Conference
        from kreds.meetings.models import Meeting
        from kreds.tenancy.models import Unit

        match = resolve(url.split("?")[0])
        if match.view_name in PUBLIC or match.namespace == "participants":
            return ""
        user = actor.user
        if user is None:
            return "a link holder opened a staff page"
        for value in match.kwargs.values():
            obj = self.obj(str(value))
            if obj is None:
                continue
            case = case_of(obj)
            municipality = getattr(obj, "municipality_id", None) or (case.municipality_id if case else None)
            if municipality is not None and municipality != user.municipality_id:
                return f"{type(obj).__name__} of another municipality"
            if isinstance(obj, User) and not is_administrator(user):
                return "a user's page for someone who is not an administrator"
            if isinstance(obj, Unit) and obj.pk not in unit_ids_with_role(user, Role.LEADER):
                return "a unit's figures for someone who does not lead it"
            if case is None:
                continue
            meeting = obj if isinstance(obj, Meeting) else getattr(obj, "meeting", None)
            conference = obj if isinstance(obj, Conference) else getattr(obj, "conference", None)
            leads = (meeting is not None and user.pk in (meeting.facilitator_id, meeting.minute_taker_id)) or (
                conference is not None and conference.coordinator_id == user.pk
            )
            leads = leads and not shut_out(user, case.pk)
            if match.view_name == "cases:break_glass":  # the unit's leader, for a restricted case not named on
                if not (shut_out(user, case.pk) and leads_case_unit(user, case)):
                    return "the break-the-glass form of a case that is not restricted to the actor's unit leader"
                continue
            if not leads and not can_see_case(user, case):
                return f"{type(obj).__name__} of a case the actor may not see"
        return ""

    def protected_values(self, actor: Actor) -> list[str]:
        """Protected addresses, phone numbers, e-mails and whereabouts the actor may not see (issue 18): staff
        who are neither assigned to the case nor lead its unit, and link holders other than the protected person."""
        from kreds.accounts.constants import Role
        from kreds.authz.roles import unit_ids_with_role
        from kreds.cases.models import CaseAssignment
        from kreds.meetings.models import Participant
        from kreds.network.models import NetworkPersonVersion
        from kreds.participants.services import resolve as resolve_link
        from kreds.protection.models import Protection

        holder = None
        if actor.user is None:
            link = resolve_link(actor.start[0].strip("/").split("/")[-1])
            participant = Participant.objects.filter(link=link).first() if link else None
            holder = participant.person_id if participant else (link.person_id if link else None)
        values = []
        for p in Protection.objects.filter(ended_at__isnull=True).select_related("case__child"):
            if actor.user is not None and (
                CaseAssignment.objects.filter(case=p.case, user=actor.user).exists()
                or p.case.responsible_unit_id in unit_ids_with_role(actor.user, Role.LEADER)
            ):
                continue
            if actor.user is None and holder is not None and holder == p.person_id:
                continue
            found = [p.whereabouts_text if p.whereabouts else ""]
            if p.person_id is None:  # the child's own address
                found += [p.case.child.address] if p.address else []
            else:
                current = NetworkPersonVersion.objects.get(person_id=p.person_id, valid_to__isnull=True)
                found += [current.address] if p.address else []
                found += [current.phone, current.email] if p.contact else []
            values += [v for v in found if v]
        return values

    def hidden_names(self, actor: Actor) -> list[str]:
        """Full names of children the actor may not see."""
        allowed = self.allowed_cases(actor)
        names = set()
        for pk, case in self.cases.items():
            if pk not in allowed:
                names.add(case.child.full_name)
        for pk in allowed:
            names.discard(self.cases[pk].child.full_name)  # a namesake the actor may see
        return sorted(n for n in names if n.strip())


def protected_case_pages() -> list[str]:
    """The demo's crisis-centre case: its overview, network list, the protected mother's page and its meetings."""
    from django.urls import reverse

    from kreds.protection.models import Protection

    protection = Protection.objects.filter(ended_at__isnull=True, person__isnull=False).select_related("case").first()
    assert protection is not None, "the demo has a case with a protected person"
    case = protection.case
    pages = [
        reverse("cases:detail", args=[case.public_id]),
        reverse("network:list", args=[case.public_id]),
        reverse("network:person_edit", args=[case.public_id, protection.person.public_id]),
    ]
    pages += [reverse("meetings:detail", args=[m.public_id]) for m in case.meetings.order_by("-starts_at")[:2]]
    return pages


@pytest.mark.django_db
def test_crawler_every_actor_every_page(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path  # the demo's drawing
    seed()
    everyone = actors()
    oracle = Oracle()
    leaks: list[str] = []
    hidden = {a.name: [(n, html.escape(n)) for n in oracle.hidden_names(a)] for a in everyone}
    protected = {a.name: [(v, html.escape(v)) for v in oracle.protected_values(a)] for a in everyone}
    assert protected["familiecenter"], "the demo has a protected address the family centre may not see"

    def check_body(actor: str, url: str, body: str) -> None:
        for name, escaped in hidden[actor]:
            if name in body or escaped in body:
                leaks.append(f"{actor} GET {url}: shows {name!r}, a child whose case they may not see")
        for value, escaped in protected[actor]:
            if value in body or escaped in body:
                leaks.append(f"{actor} GET {url}: shows the protected {value!r}")

    # Every staff actor starts at the demo's crisis-centre case (issue 18), so its pages are the first of their
    # patterns: crawled and replayed as everyone, whether or not the sample would have picked them.
    for actor in everyone:
        if actor.user is not None:
            actor.start = [*protected_case_pages(), *actor.start]
    crawler = Crawler(per_pattern=3, hubs=HUBS, bodies=check_body)
    reached_by: dict[str, set[str]] = defaultdict(set)
    first_url: dict[str, str] = {}
    for actor in everyone:
        crawler.hubs = DEEP if actor.name in DEEP_ACTORS else HUBS
        for visit in crawler.crawl(actor):
            if visit.pattern and visit.status in (200, 302):
                reached_by[visit.pattern].add(actor.name)
                if visit.status == 200:
                    first_url.setdefault(visit.pattern, visit.url)

    # Replay one page of every pattern as every actor: nobody gets a 5xx, nobody the policy refuses gets a 200.
    wrongly_allowed: list[str] = []
    replays = []
    for actor in everyone:
        client = Client(raise_request_exception=False)
        actor.login(client)
        for pattern, url in sorted(first_url.items()):
            visit, body = crawler.fetch(client, actor.name, url, pattern)
            replays.append(visit)
            why = oracle.refusal(actor, url)
            if visit.status == 200 and why:
                wrongly_allowed.append(f"{actor.name} GET {url} ({pattern}): 200, but {why}")
            if body is not None:
                check_body(actor.name, url, body)

    errors = server_errors([*crawler.visits, *replays])
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)
    assert not wrongly_allowed, "\n".join(wrongly_allowed)
    assert not leaks, "\n".join(sorted(set(leaks)))

    reached = set(reached_by)
    missing = sorted(_get_patterns() - reached - UNREACHED.keys())
    assert not missing, f"GET patterns no actor reached (link them, or list them in UNREACHED with a reason): {missing}"
    stale = sorted(UNREACHED.keys() & reached)
    assert not stale, f"listed as unreached but reached: {stale}"
    for holder in LINK_HOLDERS:
        assert any(v.actor == holder and v.status == 200 for v in crawler.visits), f"{holder}'s link did not open"
    print(  # the report (pytest -s): how much was crawled
        f"\ncrawler: {len(crawler.visits)} pages crawled and {len(replays)} replayed by {len(everyone)} actors; "
        f"{len(reached)} of {len(_get_patterns())} GET patterns reached; {len(UNREACHED)} listed as unreached"
    )
