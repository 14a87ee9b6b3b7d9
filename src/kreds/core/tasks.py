"""Worker heartbeat: the worker enqueues it periodically; /healthz reports its age."""

from __future__ import annotations

import socket

from django.tasks import task
from django.utils import timezone

from kreds.core.models import WorkerHeartbeat


@task()
def heartbeat(worker: str = "") -> str:
    name = worker or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"beat_at": timezone.now()})
    return name


@task()
def prune_finished_heartbeats(keep_hours: int = 24) -> int:
    """Daily: heartbeat results are only needed until the next beat."""
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(hours=keep_hours)
    old = DBTaskResult.objects.finished().filter(task_path=heartbeat.module_path, finished_at__lt=cutoff)
    deleted, _ = old.delete()
    return deleted
