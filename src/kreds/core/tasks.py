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
