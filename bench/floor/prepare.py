"""Create the floor's database (next to the Kreds bench database, on the same server), its tables, one user and one
logged-in session; prints the session key. Run in its own process: it configures Django with the floor's settings.

    .venv/bin/python -m bench.floor.prepare
"""

from __future__ import annotations

import os
import sys

import psycopg


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if "bench" not in db["NAME"]:
        raise SystemExit("the floor's database name must contain 'bench'")
    admin = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)
    user, _ = User.objects.get_or_create(username="floor", defaults={"first_name": "Gulv", "last_name": "Bruger"})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    sys.stdout.write(f"{session.session_key}\n")


if __name__ == "__main__":
    main()
