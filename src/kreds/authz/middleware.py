"""Every refusal a signed-in user meets is an audit event, recorded once."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.authz.access import DENIED

Handler = Callable[[HttpRequest], HttpResponse]


class DenialAuditMiddleware:
    """Every refusal a signed-in user meets is an audit event (SECURITY 16.3.2, issue 13 §2): a view that refuses
    through ``authz.access.deny`` records it with its policy; any other 404 or 403 from a view (an object of another
    municipality, one the user may not see, an id that does not exist) is recorded here with the attempted object
    from the URL. Personal-link pages are not staff access and keep their own log (``link.refused``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not isinstance(exception, (Http404, PermissionDenied)) or getattr(request, DENIED, False):
            return
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None or match.namespace == "participants":
            return
        ids = {k: str(v) for k, v in match.kwargs.items()}
        object_id = next((v for k, v in ids.items() if k.endswith("id")), "")
        record(
            Action.ACCESS_DENIED,
            actor=user,
            object_type=match.view_name[:60],
            object_id=object_id[:64],
            details={
                "view": match.view_name,
                "path": request.path[:200],
                "url_ids": ids,
                "status": (403 if isinstance(exception, PermissionDenied) else 404),
            },
        )
        setattr(request, DENIED, True)
