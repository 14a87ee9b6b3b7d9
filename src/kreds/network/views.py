"""Network map screens: map, accessible list, person forms, relations, consents, compare, SVG download."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.authz import access
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.consent import services as consent_services
from kreds.consent.models import SharingConsent
from kreds.core import stale
from kreds.core.exceptions import KredsError
from kreds.core.runner import run
from kreds.core.viewhelpers import get_or_404, parse_int, parse_uuid
from kreds.network import selectors, services
from kreds.network.constants import ConsentGiverRole, RelationKind
from kreds.network.forms import CompareForm, MapConsentForm, PersonForm, RelationForm, SharingConsentForm, end_of_day
from kreds.network.models import NetworkPerson, NetworkPersonVersion, Sector
from kreds.network.pdf import map_pdf

SORTS = {"navn": "name", "naerhed": "ring", "kvalitet": "quality"}
# Where to go after a change: a fixed list, never a URL from the request (no open redirects).
RETURN_TO = {"map": "network:map", "list": "network:list"}


# The case with what the network pages show (one query with the access check's scope).
CASES = Case.objects.select_related("child", "responsible_unit", "municipality")
MOVED_KEY = "network_moved"
LIST_FILTERS = ("sektor", "sorter", "tryg")


def _list_url(case: Case, query: str = "") -> str:
    """The list's address with the list's own filters from ``query`` (nothing else is carried over)."""
    given = QueryDict(query)
    kept = {key: given[key][:40] for key in LIST_FILTERS if given.get(key)}
    url = reverse("network:list", kwargs={"public_id": case.public_id})
    return f"{url}?{urlencode(kept)}" if kept else url


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    return redirect(RETURN_TO.get(request.POST.get("next", ""), "network:list"), public_id=case.public_id)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _map_case(request: HttpRequest, public_id: str, action: str) -> Case:
    """The case whose network map the user may ``action``; looking at it (a GET) is logged as a network read."""
    case: Case = access.fetch(
        request, Case, public_id, action, read=Action.NETWORK_VIEW, queryset=CASES, object_type="network_map"
    )
    return case


def _download_case(request: HttpRequest, public_id: str, export: str) -> Case:
    """The case whose map the user downloads; the read is logged as the export it is."""
    case: Case = access.fetch(request, Case, public_id, "network.view", queryset=CASES, object_type="network_map")
    record_for_case(
        Action.NETWORK_VIEW, actor=_user(request), case=case, object_type="network_map", details={"view": export}
    )
    return case


def _person(case: Case, person_id: str) -> NetworkPerson:
    return get_or_404(NetworkPerson.objects.select_related("map__case"), public_id=person_id, map__case=case)


def _base_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    network_map = selectors.map_of(case)
    return {"case": case, "network_map": network_map, "can_edit": can(_user(request), "network.edit", case)}


@login_required
@require_GET
def network_map(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.view")
    context = _base_context(request, case)
    context["drawing"] = selectors.map_drawing(case)
    return render(request, "network/map.html", context)


@login_required
@require_GET
def network_list(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.view")
    context = _base_context(request, case)
    versions = selectors.persons_as_of(case)
    sector_filter = request.GET.get("sektor", "")
    if sector_filter:
        versions = [v for v in versions if v.sector.key == sector_filter]
    if request.GET.get("tryg") == "1":
        versions = [v for v in versions if v.safe_adult]
    sort = SORTS.get(request.GET.get("sorter", ""), "name")
    groups: dict[Sector, list[Any]] = {}
    for v in sorted(versions, key=lambda v: (v.sector.order, getattr(v, sort), v.name)):
        groups.setdefault(v.sector, []).append(v)
    context.update(
        {
            "groups": list(groups.items()),
            "count": len(versions),
            "sectors": Sector.objects.filter(municipality_id=case.municipality_id, active=True).order_by("order"),
            "sector_filter": sector_filter,
            "safe_only": request.GET.get("tryg") == "1",
            "sort": request.GET.get("sorter", "navn"),
            "moved": request.session.pop(MOVED_KEY, None),
        }
    )
    return render(request, "network/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.edit")
    context = _base_context(request, case)
    if not context["network_map"].has_consent:
        messages.info(request, _("Record who gave consent to make the network map before adding people."))
        return redirect("network:consent", public_id=case.public_id)
    form = PersonForm(request.POST or None, municipality_id=case.municipality_id)
    if request.GET.get("sektor"):
        form.fields["sector"].initial = Sector.objects.filter(
            municipality_id=case.municipality_id, key=request.GET["sektor"]
        ).first()
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.add_person(
                actor=_user(request), case=case, data={k: v for k, v in form.cleaned_data.items() if k != "version"}
            ),
            form=form,
            success=_("%(name)s is added to the network map.") % {"name": form.cleaned_data["name"]},
        )
    ):
        if "another" in request.POST:
            return redirect("network:person_add", public_id=case.public_id)
        return _back(request, case)
    context.update({"form": form, "adding": True})
    template = "network/person_form.html#panel" if request.headers.get("HX-Request") else "network/person_form.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.view")
    person = _person(case, person_id)
    try:
        current = services.current_version(person)
    except KredsError as exc:  # a person removed from the map has no current version to edit
        raise Http404 from exc
    context = _base_context(request, case)
    initial = {k: getattr(current, k) for k in services.PERSON_FIELDS}
    initial["version"] = current.pk
    form = PersonForm(request.POST or None, initial=initial, municipality_id=case.municipality_id)
    if request.method == "POST":
        access.check(request, "network.edit", case)

        def saved_now() -> tuple[dict[str, Any], int]:
            fresh = services.current_version(person)
            return {k: getattr(fresh, k) for k in services.PERSON_FIELDS}, fresh.pk

        if run(
            request,
            lambda: services.update_person(
                actor=_user(request),
                person=person,
                expected_version=stale.expected_version(form) or 0,
                data={k: v for k, v in form.cleaned_data.items() if k != "version"},
            ),
            form=form,
            current=saved_now,
            success=_("The changes are saved."),
            reload_url=request.path,
        ):
            return _back(request, case)
    others = [(str(v.person.public_id), v.name) for v in selectors.persons_as_of(case) if v.person_id != person.pk]
    history = person.versions.select_related("changed_by", "changed_by_unit", "sector").order_by("-valid_from")
    context.update(
        {
            "form": form,
            "person": person,
            "current": current,
            "relation_form": RelationForm(people=others),
            "history": history,
            "person_consents": consent_services.consents_for(person),
            "adding": False,
        }
    )
    template = "network/person_form.html#panel" if request.headers.get("HX-Request") else "network/person_form.html"
    return render(request, template, context)


@login_required
@require_POST
def person_remove(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.edit")
    person = _person(case, person_id)
    run(
        request,
        lambda: services.remove_person(
            actor=_user(request), person=person, expected_version=parse_int(request.POST.get("version"), 0) or 0
        ),
        success=_("The person is removed from the map. The history keeps them."),
    )
    return redirect("network:list", public_id=case.public_id)


@login_required
@require_POST
def person_move(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    """Move to another ring/sector: by drag on the map (htmx) or by the buttons in the list (no JS)."""
    case = _map_case(request, public_id, "network.edit")
    person = _person(case, person_id)

    def move() -> tuple[NetworkPersonVersion, int]:
        current = services.current_version(person)
        ring = parse_int(request.POST.get("ring") or current.ring) or 0
        if ring not in (1, 2, 3):
            raise KredsError(_("Choose ring 1, 2 or 3."))
        sector_key = request.POST.get("sektor") or current.sector.key
        sector = Sector.objects.filter(municipality_id=case.municipality_id, key=sector_key).first()
        if sector is None:
            raise KredsError(_("Choose one of the municipality's sectors."))
        services.move_person(
            actor=_user(request),
            person=person,
            expected_version=parse_int(request.POST.get("version") or current.pk, 0) or 0,
            ring=ring,
            sector=sector,
        )
        return current, ring

    outcome = run(request, move)
    if outcome.value is not None:
        # The list shows the note in the moved person's row (and the page script announces it and puts focus
        # back on the person): the page must not jump to the top with nothing said.
        current, ring = outcome.value
        request.session[MOVED_KEY] = {
            "person": str(person.public_id),
            "text": _("%(name)s is now in ring %(ring)s.") % {"name": current.name, "ring": ring},
        }
    if request.headers.get("HX-Request"):
        request.session.pop(MOVED_KEY, None)
        context = _base_context(request, case)
        context["drawing"] = selectors.map_drawing(case)
        return render(request, "network/map.html#svg", context)
    if request.POST.get("next") in RETURN_TO and request.POST.get("next") != "list":
        return _back(request, case)
    return HttpResponseRedirect(_list_url(case, request.POST.get("liste", "")) + f"#person-{person.public_id}")


@login_required
@require_POST
def relation_set(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.edit")
    person = _person(case, person_id)
    other_id = parse_uuid(request.POST.get("other"))
    other = NetworkPerson.objects.filter(public_id=other_id, map__case=case).first() if other_id else None
    kind = request.POST.get("kind") or None
    if other is None:
        messages.error(request, _("Choose the person on the map the relation is to."))
    elif kind is not None and kind not in RelationKind.values:
        messages.error(request, _("Choose a relation."))
    else:
        run(
            request,
            lambda: services.set_relation(
                actor=_user(request), first=person, second=other, kind=RelationKind(kind) if kind else None
            ),
            success=_("The relation is saved."),
        )
    return redirect("network:person_edit", public_id=case.public_id, person_id=person.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.view")
    context = _base_context(request, case)
    user = _user(request)
    people = [
        (str(v.person.public_id), f"{v.name} ({v.relation})")
        for v in selectors.persons_as_of(case)
        if not v.is_professional
    ]
    map_form = MapConsentForm(request.POST if request.POST.get("form") == "map" else None)
    sharing_form = SharingConsentForm(request.POST if request.POST.get("form") == "sharing" else None, people=people)
    if request.method == "POST":
        access.check(request, "network.edit", case)
        if request.POST.get("form") == "map" and run(
            request,
            lambda: services.record_map_consent(
                actor=user,
                case=case,
                given_by=map_form.cleaned_data["given_by"],
                role=ConsentGiverRole(map_form.cleaned_data["role"]),
                given_on=map_form.cleaned_data["given_on"],
                note=map_form.cleaned_data["note"],
            ),
            form=map_form,
            success=_("Consent to make the network map is recorded. You can now add people."),
        ):
            return redirect("network:map", public_id=case.public_id)
        if request.POST.get("form") == "sharing" and run(
            request,
            lambda: consent_services.give_consent(
                actor=user,
                case=case,
                given_by=sharing_form.cleaned_data["given_by"],
                role=ConsentGiverRole(sharing_form.cleaned_data["role"]),
                categories=sharing_form.cleaned_data["categories"],
                recipients=list(
                    NetworkPerson.objects.filter(map__case=case, public_id__in=sharing_form.cleaned_data["recipients"])
                ),
                purpose=sharing_form.cleaned_data["purpose"],
                given_on=sharing_form.cleaned_data["given_on"],
            ),
            form=sharing_form,
            success=_("The consent is recorded."),
        ):
            return redirect("network:consent", public_id=case.public_id)
    context.update(
        {
            "map_form": map_form,
            "sharing_form": sharing_form,
            "consents": consent_services.consent_rows(case),
            "has_people": bool(people),
        }
    )
    return render(request, "network/consent.html", context)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, public_id: str, consent_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.edit")
    item = get_or_404(SharingConsent.objects, case=case, public_id=consent_id)
    run(
        request,
        lambda: consent_services.withdraw_consent(actor=_user(request), consent=item),
        success=_("The consent is withdrawn. It takes effect at once."),
    )
    return redirect("network:consent", public_id=case.public_id)


@login_required
@require_GET
def compare(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _map_case(request, public_id, "network.view")
    context = _base_context(request, case)
    form = CompareForm(request.GET or None)
    if form.is_bound and form.is_valid():
        first, second = end_of_day(form.cleaned_data["fra"]), end_of_day(form.cleaned_data["til"])
        changes = selectors.compare(case, first, second)
        context.update(
            {
                "changes": changes,
                "changed_ids": {c.person_id for c in changes},
                "drawing_from": selectors.map_drawing(case, first),
                "drawing_to": selectors.map_drawing(case, second),
            }
        )
    context["form"] = form
    names = dict(Sector.objects.filter(municipality_id=case.municipality_id).values_list("key", "name"))
    context["sizes"] = [
        (when, [(names.get(key, key), n) for key, n in counts.items()])
        for when, counts in selectors.size_per_sector_over_time(case)[-12:]
    ]
    return render(request, "network/compare.html", context)


@login_required
@require_GET
def svg_download(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _download_case(request, public_id, "export_svg")
    body = render_to_string("network/map_svg.html", {"drawing": selectors.map_drawing(case), "xml_declaration": True})
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="netvaerkskort.svg"'
    return response


@login_required
@require_GET
def pdf_download(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _download_case(request, public_id, "export_pdf")
    response = HttpResponse(map_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="netvaerkskort.pdf"'
    return response
