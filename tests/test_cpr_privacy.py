"""CPR numbers and sessions at rest (issue 13 §4, SECURITY 22): the case search keeps no CPR number, one number
belongs to one child, and expired sessions are deleted by the worker."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.cases.models import Case
from kreds.testing.factories import CaseFactory, assign

pytestmark = pytest.mark.django_db
FULL_CPR = "140315-0123"


def test_a_cpr_search_keeps_only_the_blind_index_and_is_not_echoed(world, client, login):
    login(world.caseworker)
    url = reverse("cases:my_cases")
    client.post(url, {"text": FULL_CPR, "status": "", "scope": "mine"})
    session = Session.objects.get(session_key=client.session.session_key)
    decoded = str(session.get_decoded())
    assert "0123" not in decoded and "1403150123" not in decoded.replace("-", "")
    assert "cpr_index" in decoded
    html = client.get(url).content.decode()  # a later visit to "Mine sager"
    assert FULL_CPR not in html and "1403150123" not in html
    assert world.case.child.first_name in html  # still finds the child
    assert "CPR-nummer" in html and 'id="cpr-search-note"' in html
    assert AuditEvent.objects.get(action=Action.CASE_SEARCH).details["criterion"] == "[CPR]"


def test_a_search_kept_by_an_earlier_version_is_rewritten(world, client, login):
    login(world.caseworker)
    session = client.session
    session["kreds_case_search"] = {"text": FULL_CPR, "status": "", "scope": "mine", "basis": ""}
    session.save()
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert FULL_CPR not in html and world.case.child.first_name in html
    assert "0123" not in str(Session.objects.get(session_key=client.session.session_key).get_decoded())


def _case_form(world, **overrides):
    return {
        # Not from the factory's lists of children's names, so never the world's child's name by chance.
        "first_name": "Lykke",
        "last_name": "Mørch",
        "birth_date": "2015-03-14",
        "cpr": FULL_CPR,
        "opened_on": timezone.localdate().isoformat(),
        "responsible_unit": world.authority.pk,
        **overrides,
    }


def test_the_same_cpr_for_a_second_child_is_refused_and_names_the_child_to_who_may_see_it(world, client, login):
    login(world.caseworker)  # assigned to world.case, whose child has the number
    response = client.post(reverse("cases:create"), _case_form(world))
    html = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 2  # world.case and the other municipality's
    assert world.case.child.full_name in html and "har allerede dette CPR-nummer" in html
    assert 'value="Lykke"' in html  # what was typed is kept


def test_the_same_cpr_is_refused_without_revealing_the_case_to_someone_who_may_not_see_it(world, client, login):
    login(world.colleague)  # a caseworker of the same unit, not on the case
    response = client.post(reverse("cases:create"), _case_form(world))
    html = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 2
    assert world.case.child.full_name not in html and (world.case.external_ref or "§§") not in html
    assert "du har ikke adgang til den" in html and "Spørg din leder" in html
    denial = AuditEvent.objects.get(action=Action.ACCESS_DENIED, actor=world.colleague)
    assert denial.details["policy"] == "cpr.unique"
    # Another municipality may record the same child (each municipality has its own children).
    login(world.outsider)
    other_unit = world.other_case.responsible_unit
    response = client.post(reverse("cases:create"), _case_form(world, responsible_unit=other_unit.pk))
    assert response.status_code == 302


def test_editing_a_child_to_another_childs_cpr_is_refused(world, client, login):
    sibling = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    assign(sibling, world.caseworker)
    login(world.caseworker)
    form = _case_form(world, version=sibling.version, first_name=sibling.child.first_name)
    response = client.post(reverse("cases:edit", args=[sibling.public_id]), form)
    assert response.status_code == 200 and "har allerede dette CPR-nummer" in response.content.decode()
    sibling.child.refresh_from_db()
    assert not sibling.child.cpr_encrypted


def test_expired_sessions_are_cleared_by_the_worker(world, client, login):
    from kreds.core.tasks import clear_expired_sessions

    login(world.caseworker)
    live = client.session.session_key
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    clear_expired_sessions.call()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


def test_login_records_are_kept_only_as_long_as_the_lockout_needs_them(db, settings):
    from axes.models import AccessAttempt, AccessLog

    from kreds.core.tasks import prune_login_records

    now = timezone.now()
    old = AccessLog.objects.create(username="a", ip_address="10.0.0.1")
    AccessLog.objects.create(username="a", ip_address="10.0.0.1")
    attempt = AccessAttempt.objects.create(username="b", ip_address="10.0.0.2", failures_since_start=3)
    # attempt_time is set on creation; move these back in time.
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=now - datetime.timedelta(days=90))
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now - datetime.timedelta(days=1))
    assert prune_login_records.call() == 2
    assert AccessLog.objects.count() == 1 and not AccessAttempt.objects.exists()
