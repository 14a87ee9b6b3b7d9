"""Logging a test client in the way a real staff login ends: password, then a verified second factor."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kreds.accounts.models import User


def login_staff(client: Client, user: User) -> Client:
    """Log ``user`` in with a verified TOTP device, as after the second factor; returns ``client``."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["_kreds_epoch"] = user.session_epoch
    session["_kreds_login_at"] = session["_kreds_last_seen"] = time.time()
    session.save()
    return client
