"""The outside probe, kept in the suite: the seeded demo, every demo actor, and a crawler (SECURITY 31).

``tests/test_crawler.py`` follows every same-site link as every actor and replays what it found as everyone else;
``tests/test_hostile_input.py`` sends hostile values to every form the crawler found. Both use this module:

* :func:`seed` builds the demo (``seed_demo``, fewer children) and stores hostile text the way an old form or an
  import could have (control characters, right-to-left marks, markup), so every renderer meets it;
* :func:`actors` are the demo's staff (each role, and the neighbouring municipality's caseworker) and the holders of
  three personal links (a parent's meeting link, a network person's page, the child's page);
* :class:`Crawler` walks breadth-first, a few instances per URL pattern, and records statuses, forms and bodies.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client
from django.urls import Resolver404, resolve

from kreds.testing.clients import login_staff

STAFF = ["raadgiver", "raadgiver2", "ungeraadgiver", "familiecenter", "moedeleder", "samordner", "leder", "admin"]
OUTSIDER = "nabo"  # a caseworker in Nabo Kommune
LINK_HOLDERS = ["parent", "parent_after_meeting", "conference_invitee", "network_person", "child", "barred_parent"]

# Never followed: leaving (log out is a POST anyway), switching language, static files.
SKIP_PREFIXES = ("/static/", "/i18n/", "/konto/log-ud/")

# Text stored in the database past any form (an import, an old version, a direct edit): every page, PDF, SVG,
# e-mail, export and archive must still render it. Control characters, a line break, right-to-left override,
# an emoji and markup for each renderer (HTML, typst, CSV formula, XML).
HOSTILE_STORED = "Ole\x0b\x1b[31m\u202eevil\u202c 😀 <b>x</b> #set page(width: 1pt) =cmd|' /C calc'!A0 ]]>&amp;"


def seed(children: int = 30) -> None:
    """The demo municipality as `make demo` seeds it, then hostile stored text."""
    call_command("seed_demo", "--children", str(children), stdout=StringIO())
    _store_hostile_text()


def _store_hostile_text() -> None:
    """A network person's name, a child's first name and a meeting's place hold text no form would accept now."""
    from kreds.cases.models import Child
    from kreds.meetings.models import Meeting, Participant
    from kreds.network.models import NetworkPersonVersion

    version = NetworkPersonVersion.objects.filter(valid_to__isnull=True).order_by("pk").first()
    if version is not None:
        NetworkPersonVersion.objects.filter(pk=version.pk).update(name=HOSTILE_STORED[:100])
        Participant.objects.filter(person_id=version.person_id).update(name=HOSTILE_STORED[:100])
    child = Child.objects.order_by("pk").first()
    if child is not None:
        # Past the append-only guard of audited models: this is the direct edit the probe imagines.
        QuerySet(model=Child).filter(pk=child.pk).update(first_name="Li\nne\x07")
    meeting = Meeting.objects.order_by("pk").first()
    if meeting is not None:
        Meeting.objects.filter(pk=meeting.pk).update(place="Rådhuset\r\nBcc: x@example.invalid\x0c")


@dataclass
class Actor:
    name: str
    login: Callable[[Client], None]
    start: list[str]
    user: Any = None


def link_tokens() -> dict[str, str]:
    """Active personal links: a parent invited to a coming meeting, a parent after a meeting (minutes, evaluation),
    someone invited to a family group conference, a network person's own page and the child's page."""
    from django.utils import timezone

    from kreds.meetings.constants import FGC_KINDS, MeetingStatus, ParticipantRole
    from kreds.meetings.models import Participant
    from kreds.participants.models import LinkPurpose, ParticipantLink
    from kreds.participants.services import token_for

    active = ParticipantLink.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    participants = Participant.objects.filter(link__in=active, removed_at__isnull=True).select_related("link")
    coming = participants.filter(meeting__status=MeetingStatus.INVITED).exclude(meeting__kind__in=FGC_KINDS)
    after = participants.filter(meeting__status=MeetingStatus.MINUTES_SENT).exclude(meeting__kind__in=FGC_KINDS)
    found = {
        "parent": coming.filter(role=ParticipantRole.PARENT).order_by("pk").first(),
        "parent_after_meeting": after.filter(role=ParticipantRole.PARENT, evaluation__isnull=True)
        .order_by("pk")
        .first(),
        "conference_invitee": participants.filter(meeting__kind__in=FGC_KINDS).order_by("pk").first(),
    }
    links = {name: (p.link if p else None) for name, p in found.items()}
    links["network_person"] = active.filter(purpose=LinkPurpose.PERSON).order_by("pk").first()
    # The father who must not learn where the mother and child are staying (the demo's crisis-centre case).
    from kreds.protection.models import Protection

    barred = Protection.objects.filter(ended_at__isnull=True).values_list("must_not_learn", flat=True)
    barred_parent = participants.filter(person_id__in=barred).order_by("-meeting__starts_at", "pk").first()
    links["barred_parent"] = barred_parent.link if barred_parent else None
    links["child"] = active.filter(purpose=LinkPurpose.CHILD).order_by("pk").first()
    tokens = {}
    for name, link in links.items():
        assert link is not None, f"the demo has no active link for {name}"
        tokens[name] = token_for(link)
    return tokens


def actors() -> list[Actor]:
    from kreds.accounts.models import User

    found = []
    for username in [*STAFF, OUTSIDER]:
        user = User.objects.get(username=username)
        found.append(Actor(username, lambda c, u=user: login_staff(c, u), ["/"], user))
    for name, token in link_tokens().items():
        found.append(Actor(name, lambda c: c.logout(), [f"/l/{token}/"]))
    return found


# --- HTML -------------------------------------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)
    enctype: str = ""

    def baseline(self) -> dict[str, Any]:
        """What a user who changes nothing would send: defaults, checked boxes, the chosen or first option."""
        data: dict[str, Any] = {}
        radios: dict[str, list[FormField]] = {}
        for f in self.fields:
            if f.kind in ("submit", "button", "file", "image", "reset"):
                continue
            if f.kind == "radio":
                radios.setdefault(f.name, []).append(f)
            elif f.kind == "checkbox":
                if f.checked:
                    data.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "select":
                chosen = f.value or next((o for o in f.options if o), "")
                data[f.name] = [chosen] if f.multiple else chosen
            else:
                data[f.name] = f.value
        for name, group in radios.items():
            chosen = next((r for r in group if r.checked), group[0])
            data[name] = chosen.value
        return data

    def submit_names(self) -> list[tuple[str, str]]:
        return [(f.name, f.value) for f in self.fields if f.kind == "submit" and f.name]


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.links.append(a["src"])
        elif tag == "form":
            self._form = Form(page="", action=a.get("action", ""), method=(a.get("method") or "get").lower())
            self._form.enctype = a.get("enctype", "")
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            self._form.fields.append(FormField(a["name"], kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button" and a.get("name"):
            self._form.fields.append(FormField(a["name"], "submit", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = FormField(a["name"], "select", multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = []
        elif tag == "textarea" and a.get("name"):
            self._textarea = FormField(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option_value is None and self._select is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else "".join(self._option_text).strip()
            self._select.options.append(value)
            if self._option_selected:
                self._select.value = value
            self._option_value = None


# --- Crawling ---------------------------------------------------------------------------------------------------


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def same_site(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.netloc and parts.netloc not in ("testserver", "127.0.0.1:8000", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
        return None
    return path


@dataclass
class Visit:
    actor: str
    url: str
    pattern: str | None
    status: int
    error: str = ""
    location: str = ""


@dataclass
class Crawler:
    per_pattern: int = 2
    max_pages: int = 400
    hubs: dict[str, int] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)
    forms: list[tuple[str, Form]] = field(default_factory=list)  # (actor, form)
    bodies: Callable[[str, str, str], None] | None = None  # (actor, url, body) for content checks

    def crawl(self, actor: Actor) -> list[Visit]:
        """Breadth-first from the actor's start pages, a page of a pattern not seen yet always first, at most
        ``per_pattern`` pages of a pattern (``hubs`` may have more: the pages that link to everything else)."""
        client = Client(raise_request_exception=False)
        actor.login(client)
        fresh: deque[str] = deque(actor.start)  # pages of patterns this actor has not seen yet
        more: deque[str] = deque()
        queued: set[str] = set(actor.start)
        per: Counter[str] = Counter()
        visits: list[Visit] = []

        def enqueue(target: str | None) -> None:
            if not target or target in queued:
                return
            queued.add(target)
            key = pattern_of(target.split("?")[0]) or target
            (more if per[key] else fresh).append(target)

        while (fresh or more) and len(visits) < self.max_pages:
            url = fresh.popleft() if fresh else more.popleft()
            pattern = pattern_of(url.split("?")[0])
            key = pattern or url
            if per[key] >= self.hubs.get(key, self.per_pattern):
                continue
            per[key] += 1
            visit, body = self.fetch(client, actor.name, url, pattern)
            visits.append(visit)
            if visit.location:
                enqueue(same_site(url, visit.location))
            if body is None:
                continue
            if self.bodies is not None:
                self.bodies(actor.name, url, body)
            parser = PageParser()
            parser.feed(body)
            for form in parser.forms:
                form.page = url
                form.action = (same_site(url, form.action) or url) if form.action else url
                self.forms.append((actor.name, form))
            for href in parser.links:
                enqueue(same_site(url, href))
        self.visits.extend(visits)
        return visits

    def fetch(self, client: Client, actor: str, url: str, pattern: str | None) -> tuple[Visit, str | None]:
        response = client.get(url)
        error = ""
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            error = f"{exc[0].__name__}: {exc[1]}" if exc else response.content[:200].decode(errors="replace")
        visit = Visit(actor, url, pattern, response.status_code, error[:300])
        if response.status_code in (301, 302, 303, 307, 308):
            visit.location = response["Location"]
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith("text/html"):
            return visit, response.content.decode()
        return visit, None


def server_errors(visits: Iterable[Visit]) -> list[str]:
    return [f"{v.actor} GET {v.url} ({v.pattern}): {v.status} {v.error}" for v in visits if v.status >= 500]


# --- Who owns what ----------------------------------------------------------------------------------------------

_PUBLIC_ID_MODELS: list[Any] | None = None


def _models_with_public_id() -> list[Any]:
    global _PUBLIC_ID_MODELS
    if _PUBLIC_ID_MODELS is None:
        _PUBLIC_ID_MODELS = [
            m
            for m in apps.get_models()
            if any(f.name == "public_id" for f in m._meta.get_fields() if hasattr(f, "attname"))
        ]
    return _PUBLIC_ID_MODELS


def object_for(value: Any) -> Any:
    """The object whose public id ``value`` is (or None)."""
    try:
        wanted = uuid.UUID(str(value))
    except ValueError:
        return None
    for model in _models_with_public_id():
        obj = model._default_manager.filter(public_id=wanted).first()
        if obj is not None:
            return obj
    return None


OWNER_PATH = ("case", "meeting", "conference", "plan", "goal", "map", "exploration", "contact", "mapping", "candidate")


def case_of(obj: Any, depth: int = 0) -> Any:
    """The child's case an object belongs to (a case, a meeting's case, a goal's plan's case…), or None."""
    from kreds.cases.models import Case, Child

    if isinstance(obj, Case):
        return obj
    if isinstance(obj, Child):
        return None
    if depth > 4:
        return None
    for name in OWNER_PATH:
        target = getattr(obj, name, None)
        if target is not None and not callable(target):
            found = case_of(target, depth + 1)
            if found is not None:
                return found
    return None


CLIENT_ERROR_RE = re.compile(r"^4\d\d$")
