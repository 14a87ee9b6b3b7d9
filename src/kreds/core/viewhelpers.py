"""Small helpers every domain's views share (views stay thin: parse, authorize, call a service, answer)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Manager, Model, QuerySet
from django.http import Http404, HttpRequest

from kreds.core.exceptions import KredsError


def get_or_404[M: Model](queryset: QuerySet[M] | Manager[M], **lookup: Any) -> M:
    """The one object ``lookup`` finds in ``queryset``, else a 404 — also for an id that is not a UUID or a value
    of the wrong type (the one copy of "try … get … except DoesNotExist: 404"). The 404 of an object the user may
    not see is audited as a denial by ``core.middleware.DenialAuditMiddleware``."""
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


def attempt(request: HttpRequest, fn: Callable[[], Any], success: str = "") -> bool:
    """Run a service call; show its Danish refusal or the success message. True if it went through."""
    try:
        fn()
    except KredsError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def attempt_form(request: HttpRequest, form: Any, fn: Callable[[], Any], success: str) -> bool:
    """For a valid ``form``, run a service call; its Danish refusal goes onto the form (shown above the fields, with
    everything as typed) instead of a page message. True if it went through."""
    if not form.is_valid():
        return False
    try:
        fn()
    except KredsError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, success)
    return True


def current_user(request: HttpRequest) -> Any:
    """The logged-in staff user (views are behind ``login_required``)."""
    return request.user


DENIED = "_kreds_denied"


def deny(request: HttpRequest, action: str, *, object_type: str, object_id: str) -> Http404:
    """Record an authorization denial and answer as for an unknown object (SECURITY 8.2.2: foreign is 404).

    The one way a view refuses (raise what it returns). Any other 404 or 403 a signed-in user meets is recorded
    by ``core.middleware.DenialAuditMiddleware`` instead, so every refusal is an ``authz.denied`` event once.
    """
    from kreds.audit.constants import Action
    from kreds.audit.services import record

    record(
        Action.ACCESS_DENIED,
        actor=current_user(request),
        object_type=object_type,
        object_id=object_id,
        details={"policy": action, "path": request.path[:200]},
    )
    setattr(request, DENIED, True)
    return Http404()


def authorized(
    request: HttpRequest,
    queryset: QuerySet[Any],
    public_id: str,
    action: str,
    *,
    object_type: str,
    read_action: Any,
) -> Any:
    """The object of ``queryset`` with ``public_id`` in the user's municipality, if the user may ``action`` it.

    Unknown, foreign and forbidden objects are all a 404 (a denial is audited). A GET is a read of the child's
    data and is audit-logged as ``read_action`` with the child as the person concerned (the object has ``case``).
    """
    from kreds.audit.constants import Purpose
    from kreds.audit.services import record
    from kreds.authz.policies import can

    user = current_user(request)
    obj = queryset.filter(public_id=public_id, municipality_id=user.municipality_id or 0).first()
    if obj is None:
        raise Http404
    if not can(user, action, obj):
        raise deny(request, action, object_type=object_type, object_id=str(obj.public_id))
    if request.method == "GET":
        record(
            read_action,
            actor=user,
            municipality=obj.case.municipality,
            object_type=object_type,
            object_id=str(obj.public_id),
            person_concerned=str(obj.case.child.public_id),
            purpose=Purpose.CASEWORK,
            details={"view": request.resolver_match.url_name if request.resolver_match else ""},
        )
    return obj


def authorized_case(request: HttpRequest, public_id: str, action: str, *, read_action: Any, object_type: str) -> Any:
    """A case the user may see and may ``action`` (404 otherwise, the denial audited). A GET is a read of the
    child's data, audit-logged as ``read_action`` with the view's name."""
    from kreds.audit.constants import Purpose
    from kreds.audit.services import record
    from kreds.authz.policies import can
    from kreds.cases.selectors import get_case

    user = current_user(request)
    case = get_case(user, public_id)
    if not can(user, action, case):
        raise deny(request, action, object_type="case", object_id=str(case.public_id))
    if request.method == "GET":
        record(
            read_action,
            actor=user,
            municipality=case.municipality,
            object_type=object_type,
            object_id=str(case.public_id),
            person_concerned=str(case.child.public_id),
            purpose=Purpose.CASEWORK,
            details={"view": request.resolver_match.url_name if request.resolver_match else ""},
        )
    return case
