"""Periodic tasks: each app registers its own in ``AppConfig.ready`` and ``run_worker`` enqueues them when due.

``run_worker`` calls :func:`enqueue_due` every few seconds with the time it keeps; a task is enqueued when its
interval has passed since it was last enqueued (at once when the worker starts). Tasks must be idempotent: a
restarted worker enqueues everything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MINUTE = 60
DAY = 24 * 3600


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django.tasks Task
    every: float  # seconds
    args: tuple[Any, ...] = ()


_REGISTRY: dict[str, Periodic] = {}


def register(name: str, task: Any, *, every: float, args: tuple[Any, ...] = ()) -> None:
    _REGISTRY[name] = Periodic(name, task, every, args)


def periodic() -> list[Periodic]:
    return sorted(_REGISTRY.values(), key=lambda p: p.name)


def enqueue_due(last: dict[str, float], now: float) -> list[str]:
    """Enqueue every registered task whose interval has passed; ``last`` (name → time) is updated in place."""
    enqueued = []
    for job in periodic():
        if now - last.get(job.name, float("-inf")) >= job.every:
            job.task.enqueue(*job.args)
            last[job.name] = now
            enqueued.append(job.name)
    return enqueued
