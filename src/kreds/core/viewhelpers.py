"""Small helpers every domain's views share: parsing untrusted input and finding sub-objects (access to the
object itself is ``kreds.authz.access``; running a service is ``kreds.core.runner``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Manager, Model, QuerySet
from django.http import Http404, HttpRequest


def get_or_404[M: Model](queryset: QuerySet[M] | Manager[M], **lookup: Any) -> M:
    """The one object ``lookup`` finds in ``queryset``, else a 404 — also for an id that is not a UUID or a value
    of the wrong type (the one copy of "try … get … except DoesNotExist: 404"), for objects inside one the view
    already reached through ``kreds.authz.access``. Such a 404 is audited as a denial by
    ``authz.middleware.DenialAuditMiddleware``."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from untrusted input (a form field, a query parameter), or None."""
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError, TypeError):
        return None


def parse_int(value: Any, default: int | None = None, *, low: int = -(2**31), high: int = 2**31 - 1) -> int | None:
    """An integer from untrusted input within database range, or ``default``."""
    try:
        number = int(str(value).strip())
    except (ValueError, TypeError):
        return default
    return number if low <= number <= high else default


def current_user(request: HttpRequest) -> Any:
    """The logged-in staff user (views are behind ``login_required``)."""
    return request.user
