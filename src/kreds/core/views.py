"""Views that belong to no domain: health, home, accessibility statement, error pages."""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kreds.core.mail import mailbox
from kreds.core.models import WorkerHeartbeat
from kreds.core.text import safe_filename


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


# The demo's mailbox -------------------------------------------------------------------------------------------

MAILBOX_NAME = re.compile(r"^\d{8}-\d{6}-\d{6}-[0-9a-f]{8}\.eml$")


def _mailbox_or_404(request: HttpRequest) -> None:
    """Only in demo mode (signed-in staff: the messages hold the demo families' personal links)."""
    if not settings.DEMO_MODE:
        raise Http404


def _read(path: Path) -> email.message.EmailMessage:
    with path.open("rb") as handle:
        message: email.message.EmailMessage = email.message_from_binary_file(handle, policy=email.policy.default)
    return message


@login_required
@require_GET
def sent_mail(request: HttpRequest) -> HttpResponse:
    """What Kreds has "sent" in the demo: every message, as the recipient would see it (nothing leaves the machine,
    and nothing is written to a log)."""
    _mailbox_or_404(request)
    messages = []
    for path in mailbox():
        message = _read(path)
        body = message.get_body(preferencelist=("plain",))
        messages.append(
            {
                "name": path.name,
                "to": message["To"],
                "subject": message["Subject"],
                "date": email.utils.parsedate_to_datetime(message["Date"]) if message["Date"] else None,
                "body": body.get_content() if body is not None else "",
                "attachments": [part.get_filename() or "" for part in message.iter_attachments()],
            }
        )
    return render(request, "core/sent_mail.html", {"mail": messages})


@login_required
@require_GET
def sent_mail_attachment(request: HttpRequest, name: str, number: int) -> HttpResponse:
    _mailbox_or_404(request)
    path = Path(settings.MAILBOX_DIR) / name
    if not MAILBOX_NAME.match(name) or not path.is_file():
        raise Http404
    parts = list(_read(path).iter_attachments())
    if not 0 <= number < len(parts):
        raise Http404
    part = parts[number]
    response = HttpResponse(part.get_content(), content_type=part.get_content_type())
    filename = safe_filename((part.get_filename() or "bilag").rsplit(".", 1)[0], default="bilag")
    extension = (part.get_filename() or "").rsplit(".", 1)[-1] if "." in (part.get_filename() or "") else "bin"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{safe_filename(extension, default="bin")}"'
    return response
