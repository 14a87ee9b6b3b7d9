from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kreds.audit.checkpoints import verify_checkpoints
from kreds.audit.services import ChainStats, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit log's keyed hash chain and its purged rows; with --checkpoints also compare the checkpoints "
        "written outside the database. Exits non-zero if any row was changed, removed or cut off (ADR 0010)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            nargs="+",
            metavar="PATH",
            help="checkpoint files, directories of them, or application log files that contain checkpoint lines",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stats = ChainStats()
        problems = [str(problem) for problem in verify_chain(stats=stats)]
        compared = 0
        if options["checkpoints"]:
            try:
                report = verify_checkpoints(options["checkpoints"])
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from exc
            compared = report.compared
            problems += [str(problem) for problem in report.problems]
        for problem in problems:
            self.stderr.write(problem)
        purged = f"{stats.purged} purged"
        if stats.purge_runs:
            # Shown because someone holding the key could seal a run with a short retention (ADR 0010).
            days = ", ".join(str(d) for d in sorted(stats.retention_days))
            purged += f" by {stats.purge_runs} sealed retention run(s) with {days} days of retention"
        summary = (
            f"{stats.events} events ({stats.keyed} keyed, {stats.legacy} unkeyed from before the key; {purged}); "
            f"{compared} checkpoints compared"
        )
        if problems:
            self.stdout.write(summary)
            raise CommandError(f"Audit chain broken in {len(problems)} place(s).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {summary}."))
