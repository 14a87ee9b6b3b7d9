from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "floor.html", {"name": request.user.get_full_name() or request.user.get_username()})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", page), path("healthz", healthz)]
