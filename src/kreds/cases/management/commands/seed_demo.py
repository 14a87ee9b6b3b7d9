"""Demo data: Eksempel Kommune with units, staff in every role and ~30 fictional children. Idempotent.

The data itself is built by :mod:`kreds.demo` (outside the runtime code); this command only runs it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from kreds.accounts.demo import DEMO_PASSWORD, STAFF
from kreds.demo.seed import seed


class Command(BaseCommand):
    help = "Create the demo municipality, staff and fictional cases (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--children", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2026)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        made = seed(children=options["children"], seed=options["seed"])
        if made is None:
            self.stdout.write("Demo cases already exist; nothing more to do.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {made.cases} demo cases, {made.maps} network maps, {made.meetings} network meetings, "
                    f"{made.conferences} family group conferences and {made.placements} cases considering or in "
                    "placement."
                )
            )
            if made.protected:
                self.stdout.write(
                    f"A mother and child at a crisis centre: case {made.protected} sees the protected address; "
                    "'familiecenter' sees 'Beskyttet', and the father's personal page shows none of it."
                )
            if made.restricted:
                self.stdout.write(
                    f"A restricted case: {made.restricted}. Everyone else lists it as 'Begrænset sag'; 'leder' "
                    "opens it only by stating a reason, which its caseworker is shown."
                )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, first, last, roles in STAFF:
            role_text = ", ".join(f"{r.label} i {u}" for u, r in roles)
            self.stdout.write(f"  {username:<14} {first} {last} – {role_text}")
        self.stdout.write(f"  {'nabo':<14} Nina Nabo – sagsbehandler i Nabo Kommune (ser intet fra Eksempel Kommune)")
        self.stdout.write("")
        self.stdout.write(
            "Or press 'Log ind med kommunens login' and pick a person at the test identity provider "
            "(http://127.0.0.1:8001, for the demo only)."
        )
