from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kreds.audit.models import AuditEvent
from kreds.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero if any row was changed or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(f"seq {problem.seq}: {problem.problem}")
        if problems:
            raise CommandError(f"Audit chain broken in {len(problems)} place(s).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact ({AuditEvent.objects.count()} events)."))
