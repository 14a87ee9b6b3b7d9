"""Downloading an uploaded file: an authorized view, always as an attachment, every download audit-logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from kreds.audit.constants import Action
from kreds.core.viewhelpers import authorized
from kreds.documents.models import Document
from kreds.documents.services import path_of


@login_required
@require_GET
def download(request: HttpRequest, document_id: str) -> FileResponse:
    queryset = Document.objects.select_related("case__child", "case__municipality")
    document: Document = authorized(
        request, queryset, document_id, "document.view", object_type="document", read_action=Action.DOCUMENT_VIEW
    )
    path = path_of(document)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
