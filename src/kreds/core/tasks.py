"""Worker heartbeat: the worker enqueues it periodically; /healthz reports its age."""

from __future__ import annotations

import socket
from datetime import timedelta

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kreds.core.models import WorkerHeartbeat


@task()
def heartbeat(worker: str = "") -> str:
    name = worker or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"beat_at": timezone.now()})
    return name


@task()
def prune_finished_heartbeats(keep_hours: int = 24) -> int:
    """Daily: heartbeat results are only needed until the next beat."""

    cutoff = timezone.now() - timedelta(hours=keep_hours)
    old = DBTaskResult.objects.finished().filter(task_path=heartbeat.module_path, finished_at__lt=cutoff)
    deleted, _ = old.delete()
    return deleted


@task()
def clear_expired_sessions() -> int:
    """Daily: expired sessions are deleted (Django keeps them until someone runs ``clearsessions``)."""

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@task()
def prune_login_records() -> int:
    """Daily: axes' records of logins (username and address) are kept only as long as the lockout needs them
    (LOGIN_KNOWN_ADDRESS_DAYS, and at least the cool-off); the audit log keeps logins and failures."""

    keep = max(settings.LOGIN_KNOWN_ADDRESS_DAYS, 1)
    now = timezone.now()
    logs: int = AccessLog.objects.filter(attempt_time__lt=now - timedelta(days=keep)).delete()[0]
    attempts: int = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()[0]
    return logs + attempts
