"""Issue, resolve, revoke and rate-limit personal links (DOMAIN §11).

* 256-bit tokens derived with an HMAC (keyed by ``SECRET_KEY``) from the link's random public id. Only the
  token's SHA-256 is stored, so a database leak alone does not leak working links, yet the server can put the
  same link in the invitation, the minutes and the agreement summary (ADR 0008).
* :func:`resolve` answers None for unknown, expired and revoked links alike (no oracle), and counts the use.
* :func:`allow` is a fixed-window rate limit kept in the database so it holds across server processes.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.participants.models import LinkPurpose, ParticipantLink, RateCounter

LINK_SALT = "kreds.participants.link"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def token_for(link: ParticipantLink) -> str:
    """The link's token: 256 bits, URL-safe, never stored (only its hash is)."""
    return salted_hmac(LINK_SALT, str(link.public_id), algorithm="sha256").hexdigest()


def issue(
    *,
    case: Case,
    holder_name: str,
    expires_at: datetime.datetime,
    actor: User | None,
    purpose: str = LinkPurpose.MEETING,
    person: Any = None,
) -> ParticipantLink:
    """A new link; its token is :func:`token_for` and is never stored."""
    link = ParticipantLink(
        municipality_id=case.municipality_id,
        case=case,
        holder_name=holder_name[:200],
        expires_at=expires_at,
        created_by=actor,
        purpose=purpose,
        person=person,
    )
    link.token_hash = hash_token(token_for(link))
    link.save()
    return link


def resolve(token: str) -> ParticipantLink | None:
    """The active link for ``token``, or None. Counts the use."""
    if not token or len(token) != 64:
        return None
    link = (
        ParticipantLink.objects.filter(token_hash=hash_token(token))
        .select_related("case__child", "municipality", "person")
        .first()
    )
    if link is None or not link.is_active:
        return None
    now = timezone.now()
    ParticipantLink.objects.filter(pk=link.pk).update(last_used_at=now, use_count=F("use_count") + 1)
    link.last_used_at = now
    return link


def revoke(link: ParticipantLink, *, reason: str) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_reason = reason[:200]
        link.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])


def extend(link: ParticipantLink, until: datetime.datetime) -> None:
    if link.revoked_at is None and link.expires_at < until:
        link.expires_at = until
        link.save(update_fields=["expires_at", "updated_at"])


def shorten(link: ParticipantLink, until: datetime.datetime) -> None:
    """Let the link stop sooner (a cancelled meeting's links), never later than it would have."""
    if link.revoked_at is None and link.expires_at > until:
        link.expires_at = until
        link.save(update_fields=["expires_at", "updated_at"])


def allow(key: str, *, limit: int, window_seconds: int | None = None) -> bool:
    """Count one hit for ``key`` in the current window; False once more than ``limit`` hits were counted."""
    window = window_seconds or settings.PARTICIPANT_LINK_RATE_WINDOW
    now = timezone.now()
    start = datetime.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=datetime.UTC)
    key = key[:100]
    updated = RateCounter.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=start, hits=1)
        except IntegrityError:
            RateCounter.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1)
    hits = RateCounter.objects.filter(key=key, window_start=start).values_list("hits", flat=True).first() or 0
    return hits <= limit


def prune_counters(older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    deleted, _ = RateCounter.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted


def purge_expired_contact_data(*, after: datetime.timedelta = datetime.timedelta(days=365)) -> int:
    """Links that expired or were revoked long ago keep no holder name (DOMAIN §13: purge data outside cases)."""
    cutoff = timezone.now() - after
    old = ParticipantLink.objects.filter(expires_at__lt=cutoff).exclude(holder_name="")
    count = 0
    for link in old:
        link.holder_name = ""
        link.save(update_fields=["holder_name", "updated_at"])
        count += 1
    return count
