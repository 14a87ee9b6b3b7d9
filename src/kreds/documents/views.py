"""Downloading an uploaded file: an authorized view, always as an attachment, every download audit-logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from kreds.audit.constants import Action
from kreds.authz import access
from kreds.documents.models import Document
from kreds.documents.services import path_of


@login_required
@require_GET
def download(request: HttpRequest, document_id: str) -> FileResponse:
    document = access.fetch(
        request,
        Document,
        document_id,
        "document.view",
        read=Action.DOCUMENT_VIEW,
        queryset=Document.objects.select_related("case__child", "case__municipality"),
    )
    path = path_of(document)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
