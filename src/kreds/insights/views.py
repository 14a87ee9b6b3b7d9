"""The leader's page: a unit's figures for a period, their drill-down to cases, and exports."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz import access
from kreds.core.viewhelpers import current_user, parse_uuid
from kreds.insights import exports, selectors, snapshots
from kreds.insights.figures import FIGURES
from kreds.insights.forms import period_form
from kreds.insights.periods import Period
from kreds.tenancy.models import Unit

UNITS = Unit.objects.select_related("municipality")


def _period(request: HttpRequest) -> Period:
    return period_form(_period_params(request), timezone.localdate())[1]


def _period_params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in ("period", "on", "start", "end") if k in request.GET}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The first unit the user leads; a short explanation when they lead none."""
    units = list(selectors.leader_units(current_user(request)))
    if units:
        url = reverse("insights:unit", kwargs={"unit_id": units[0].public_id})
        query = urlencode(_period_params(request))
        return redirect(f"{url}?{query}" if query else url)
    return render(request, "insights/none.html", status=200)


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: str) -> HttpResponse:
    user = current_user(request)
    the_unit = access.fetch(request, Unit, unit_id, "insights.view", queryset=UNITS)
    form, period = period_form(_period_params(request), timezone.localdate())
    query = urlencode(period.query())
    shown = _figures_shown(request, the_unit, period, query)
    record(
        Action.INSIGHTS_VIEW,
        actor=user,
        object_type="unit",
        object_id=str(the_unit.public_id),
        purpose=Purpose.SUPERVISION,
        details={"from": period.start.isoformat(), "to": period.end.isoformat()},
    )
    return render(
        request,
        "insights/unit.html",
        {
            "unit": the_unit,
            "previous": period.previous(),
            "shown": shown,
            "units": selectors.leader_units(user),
            "query": query,
            "previous_query": urlencode(period.previous().query()),
            "next_query": urlencode(period.next().query()) if period.end < timezone.localdate() else "",
            "form": form,
        },
    )


def _figures_key(unit: Unit, query: str, computed_at: datetime.datetime) -> str:
    return f"insights:{unit.public_id}:{query}:{computed_at.isoformat()}:{get_language()}"


def _figures_shown(request: HttpRequest, unit: Unit, period: Period, query: str) -> dict[str, str]:
    """The page's figures as HTML: the lead and the tables of one stored computation.

    They are the same for every leader who looks until the figures are computed again, and rendering them (700
    cells with a leader's caseworkers) was most of the page (bench/results/2026-12-06-before-cprofile-
    dashboard_12_months.txt), so each worker keeps them in the "fragments" cache under a key holding the unit, the
    period, the computation's time and the language. A new computation has a new key; nothing is invalidated.
    """
    fragments = caches["fragments"]
    stored = snapshots.current(unit, period)
    if stored is not None:
        kept = fragments.get(_figures_key(unit, query, stored.computed_at))
        if kept is not None:
            return {part: mark_safe(html) for part, html in kept.items()}  # noqa: S308 - our own rendering
    board, computed_at = snapshots.dashboard(unit, period, stored=stored)
    context = {
        "board": board,
        "breakdown": selectors.breakdown_rows(
            board,
            {spec.key: reverse("insights:figure", args=[unit.public_id, spec.key]) for spec in board.breakdown_specs},
        ),
        "computed_at": computed_at,
        "fresh_minutes": int(snapshots.FRESH.total_seconds() // 60),
        "query": query,
    }
    shown = {
        "lead": render_to_string("insights/_lead.html", context, request),
        "figures": render_to_string("insights/_figures.html", context, request),
    }
    fragments.set(_figures_key(unit, query, computed_at), shown)
    return {part: mark_safe(html) for part, html in shown.items()}  # noqa: S308 - our own rendering


@login_required
@require_GET
def figure(request: HttpRequest, unit_id: str, key: str) -> HttpResponse:
    """The cases behind one figure (those the viewer may see), marked whether they count in the numerator."""
    user = current_user(request)
    the_unit = access.fetch(request, Unit, unit_id, "insights.view", queryset=UNITS)
    if key not in FIGURES:
        raise Http404
    period = _period(request)
    caseworker = None
    if request.GET.get("raadgiver"):
        wanted = parse_uuid(request.GET["raadgiver"])
        caseworker = (
            User.objects.filter(public_id=wanted, municipality_id=user.municipality_id).first() if wanted else None
        )
        if caseworker is None:
            raise Http404
    figure_result, computed_at = snapshots.figure(the_unit, period, key, caseworker.pk if caseworker else None)
    result = selectors.drilldown(user, figure_result)
    record(
        Action.CASE_LIST,
        actor=user,
        object_type="insights",
        purpose=Purpose.SUPERVISION,
        details={
            "figure": key,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "count": len(result.rows),
        },
    )
    page = Paginator(result.rows, 50).get_page(request.GET.get("side"))
    base = {**period.query(), **({"caseworker": str(caseworker.public_id)} if caseworker else {})}
    return render(
        request,
        "insights/figure.html",
        {
            "unit": the_unit,
            "period": period,
            "result": result.result,
            "page": page,
            "hidden": result.hidden,
            "caseworker": caseworker,
            "back": reverse("insights:unit", kwargs={"unit_id": the_unit.public_id}) + "?" + urlencode(period.query()),
            "query": urlencode(base),
            "computed_at": computed_at,
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, unit_id: str, fmt: str) -> HttpResponse:
    user = current_user(request)
    the_unit = access.fetch(request, Unit, unit_id, "insights.export", queryset=UNITS)
    period = _period(request)
    # The page's own computation (the same snapshot): the file shows what the page shows, suppressed.
    figures, computed_at = snapshots.computed(the_unit, period)
    rows = exports.records(list(figures.current.values()), period, the_unit.name)
    record(
        Action.INSIGHTS_EXPORT,
        actor=user,
        object_type="unit",
        object_id=str(the_unit.public_id),
        purpose=Purpose.SUPERVISION,
        details={"format": fmt, "from": period.start.isoformat(), "to": period.end.isoformat()},
    )
    name = f"kreds-{period.start.isoformat()}-{period.end.isoformat()}"
    if fmt == "csv":
        response = HttpResponse("\ufeff" + exports.to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    title = _("%(unit)s: figures for %(period)s, computed %(at)s") % {
        "unit": the_unit.name,
        "period": period.label,
        "at": formats.date_format(timezone.localtime(computed_at), "j. F Y H.i"),
    }
    response = HttpResponse(
        exports.to_xlsx(rows, title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
