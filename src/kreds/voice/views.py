"""Screens for the child's voice on a case, and the child's own page reached through a personal link."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.audit.constants import Action
from kreds.authz import access
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.core import stale
from kreds.core.runner import run
from kreds.core.viewhelpers import current_user, get_or_404
from kreds.participants.models import ParticipantLink
from kreds.participants.services import token_for
from kreds.voice import forms, selectors, services
from kreds.voice import pdf as voice_pdf
from kreds.voice.models import ChildInput, ThreeHouses


def _link_url(link: ParticipantLink) -> str:
    return settings.SITE_URL + reverse("participants:home", kwargs={"token": token_for(link)})


@login_required
@require_GET
def overview(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.view", read=Action.VOICE_VIEW, object_type="voice")
    user = current_user(request)
    link = services.child_link(case)
    url = _link_url(link) if link else ""
    inputs = selectors.child_inputs(case)
    return render(
        request,
        "voice/overview.html",
        {
            "case": case,
            "houses": selectors.three_houses(case),
            "inputs": inputs,
            "page_houses": selectors.houses_from_page(inputs),
            "words": selectors.words_and_pictures(case),
            "link": link,
            "link_url": url,
            "qr": segno.make(url, error="m").svg_inline(scale=4, dark="#000000", light="#ffffff") if url else "",
            "review_form": forms.ReviewForm(),
            "can_edit": can(user, "voice.edit", case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def houses_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.edit", read=Action.VOICE_VIEW, object_type="voice")
    form = forms.ThreeHousesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run(
            request,
            lambda: services.record_three_houses(
                actor=current_user(request), case=case, data=data, drawing=data.get("drawing")
            ),
            success=_("The child's three houses are recorded."),
        ):
            return redirect("voice:overview", public_id=case.public_id)
    return render(request, "voice/houses_form.html", {"case": case, "form": form})


@login_required
@require_POST
def houses_checked(request: HttpRequest, public_id: str, houses_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.edit", object_type="voice")
    houses = get_or_404(ThreeHouses.objects, public_id=houses_id, case=case)
    run(
        request,
        lambda: services.mark_checked_with_child(actor=current_user(request), houses=houses, on=timezone.localdate()),
        success=_("Recorded that the words were checked back with the child."),
    )
    return redirect("voice:overview", public_id=case.public_id)


@login_required
@require_POST
def link_issue(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.edit", object_type="voice")
    run(
        request,
        lambda: services.issue_child_link(actor=current_user(request), case=case),
        success=_("The child's page is open. Give the child the address or the QR code."),
    )
    return redirect("voice:overview", public_id=case.public_id)


@login_required
@require_POST
def link_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.edit", object_type="voice")
    if run(request, lambda: services.revoke_child_link(actor=current_user(request), case=case)).value:
        messages.success(request, _("The child's page is closed."))
    return redirect("voice:overview", public_id=case.public_id)


@login_required
@require_POST
def review(request: HttpRequest, public_id: str, input_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.edit", object_type="voice")
    child_input = get_or_404(ChildInput.objects, public_id=input_id, case=case)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.review_child_input(
                actor=current_user(request), child_input=child_input, note=form.cleaned_data["note"]
            ),
            success=_("The child's answers are marked as read."),
        )
    return redirect("voice:overview", public_id=case.public_id)


def _words_initial(current: Any) -> dict[str, Any]:
    if current is None:
        return {"version": 0}
    return {"title": current.title, "text": current.text, "version": current.version}


@login_required
@require_http_methods(["GET", "POST"])
def words(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.edit", read=Action.VOICE_VIEW, object_type="voice")
    current = selectors.words_and_pictures(case)
    form = forms.WordsAndPicturesForm(request.POST or None, initial=_words_initial(current))

    def saved_now() -> tuple[dict[str, Any], int]:
        initial = _words_initial(selectors.words_and_pictures(case))
        return initial, initial["version"]

    if request.method == "POST" and run(
        request,
        lambda: services.save_words_and_pictures(
            actor=current_user(request),
            case=case,
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            expected_version=stale.expected_version(form) or 0,
        ),
        form=form,
        current=saved_now,
        success=_("Words & Pictures is saved."),
        reload_url=request.path,
    ):
        return redirect("voice:overview", public_id=case.public_id)
    return render(request, "voice/words_form.html", {"case": case, "form": form, "current": current})


@login_required
@require_GET
def words_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "voice.view", read=Action.VOICE_VIEW, object_type="voice")
    current = selectors.words_and_pictures(case)
    if current is None:
        raise Http404
    response = HttpResponse(voice_pdf.words_pdf(case, current), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="ord-og-billeder.pdf"'
    return response


# The child's own page (a personal link of purpose "child") --------------------------------------------------


def child_page(request: HttpRequest, token: str, link: ParticipantLink) -> HttpResponse:
    """Large type, plain Danish, works on a phone without JavaScript. Every answer lands on the case for review."""
    form = forms.ChildPageForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.submit_child_input(link=link, data=form.cleaned_data),
            success=_("Thank you! Your caseworker will read what you wrote."),
        )
    ):
        return redirect("participants:home", token=token)
    context: dict[str, Any] = {"form": form, "token": token, "child": link.case.child.first_name}
    context["municipality"] = link.case.municipality.name
    return render(request, "voice/child_page.html", context, status=400 if request.method == "POST" else 200)
