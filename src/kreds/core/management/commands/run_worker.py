"""Run the task worker with a heartbeat: ``db_worker`` in a child process, plus a heartbeat every 30 s.

The heartbeat is enqueued as a real task, so a heartbeat in /healthz proves the worker actually runs tasks.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from kreds.core.schedule import enqueue_due
from kreds.core.tasks import heartbeat


class Command(BaseCommand):
    help = "Run the background task worker (db_worker) and keep its heartbeat fresh."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between heartbeats.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, sys.argv[0], "db_worker", "--interval", "1", "--no-startup-delay"]
        )
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        last: dict[str, float] = {}
        try:
            while not stopping and worker.poll() is None:
                heartbeat.enqueue()
                # The periodic jobs every app registers (core.schedule): retention, dispatching messages, …
                enqueue_due(last, time.monotonic())
                deadline = time.monotonic() + options["interval"]
                while not stopping and time.monotonic() < deadline and worker.poll() is None:
                    time.sleep(0.5)
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
