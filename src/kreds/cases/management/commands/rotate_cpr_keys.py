from typing import Any

from django.core.management.base import BaseCommand

from kreds.cases.services import rotate_cpr_keys
from kreds.core.crypto import current_key_id


class Command(BaseCommand):
    help = "Re-encrypt every CPR number with the first key in CPR_KEYS (run after adding a new key first)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = rotate_cpr_keys()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {changed} CPR number(s) with key {current_key_id()!r}."))
