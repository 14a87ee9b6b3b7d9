"""Views that belong to no domain: health, home, accessibility statement, error pages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kreds.core.models import WorkerHeartbeat


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker state. No authentication, no personal data."""
    database = {"ok": False, "engine": connection.vendor}
    worker: dict[str, object] = {"ok": False, "last_heartbeat": None, "age_seconds": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database["ok"] = True
        beat = WorkerHeartbeat.objects.order_by("-beat_at").first()
        if beat is not None:
            age = (timezone.now() - beat.beat_at).total_seconds()
            worker = {
                "ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE,
                "last_heartbeat": beat.beat_at.isoformat(),
                "age_seconds": round(age),
            }
    except Exception:
        database["ok"] = False
    healthy = bool(database["ok"]) and bool(worker["ok"])
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "worker": worker},
        status=200 if database["ok"] else 503,
    )


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        from kreds.authz.policies import can

        if can(request.user, "case.list"):
            return redirect("cases:my_cases")
        if can(request.user, "admin.manage_users"):
            return redirect("accounts:user_list")
        from kreds.accounts.constants import Role
        from kreds.authz.policies import has_role

        if has_role(request.user, Role.FACILITATOR):
            return redirect("meetings:mine")
        return render(request, "core/no_role.html")
    return redirect(settings.LOGIN_URL)


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 400}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"status": 500}, status=500)


HEARTBEAT_INTERVAL = timedelta(seconds=30)
