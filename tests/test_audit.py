"""Audit: reads are logged, the chain verifies, tampering is detected (SECURITY 16, 17, 19)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from kreds.audit.constants import Action, Purpose
from kreds.audit.models import AuditEvent
from kreds.audit.services import record, verify_chain


def test_case_view_is_an_audit_event_with_everything(world, client, login):
    login(world.practitioner)
    client.get(reverse("cases:detail", args=[world.case.public_id]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action=Action.CASE_VIEW).latest("seq")
    assert event.actor == world.practitioner
    assert event.municipality == world.municipality
    assert event.object_type == "case" and event.object_id == str(world.case.public_id)
    assert event.person_concerned == str(world.case.child.public_id)
    assert event.purpose == Purpose.CASEWORK
    assert event.request_id and event.ip == "10.1.2.3"
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_denial_is_audited(world, client, login):
    login(world.colleague)
    response = client.get(reverse("cases:edit", args=[world.case.public_id]))
    assert response.status_code == 404
    login(world.practitioner)
    client.get(reverse("cases:edit", args=[world.case.public_id]))
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=world.practitioner).exists()


def test_leader_sees_who_looked_at_the_case(world, client, login):
    login(world.caseworker)
    client.get(reverse("cases:detail", args=[world.case.public_id]))
    login(world.leader)
    html = client.get(reverse("audit:case_access_log", args=[world.case.public_id])).content.decode()
    assert world.caseworker.get_full_name() in html
    reads = client.get(reverse("audit:case_access_log", args=[world.case.public_id]) + "?vis=laesninger")
    assert world.caseworker.get_full_name() in reads.content.decode()


def _some_events(n=5):
    for i in range(n):
        record(Action.CASE_VIEW, actor=None, actor_label=f"test{i}", object_type="case", object_id=str(i))


def test_chain_verifies(db):
    _some_events()
    assert list(verify_chain()) == []
    call_command("audit_verify")


def test_append_only(db):
    _some_events(1)
    event = AuditEvent.objects.get()
    event.actor_label = "someone else"
    with pytest.raises(NotImplementedError):
        event.save()
    with pytest.raises(NotImplementedError):
        event.delete()
    with pytest.raises(NotImplementedError):
        AuditEvent.objects.all().update(actor_label="x")
    with pytest.raises(NotImplementedError):
        AuditEvent.objects.all().delete()


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_changed_row_is_detected(db):
    _some_events()
    victim = AuditEvent.objects.order_by("seq")[2]
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET actor_label = %s WHERE seq = %s", ["mallory", victim.seq])
    problems = list(verify_chain())
    assert [p.seq for p in problems] == [victim.seq]
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleted_row_is_detected(db):
    _some_events()
    victim = AuditEvent.objects.order_by("seq")[1]
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [victim.seq])
    assert any("previous hash" in p.problem for p in verify_chain())


def test_truncated_tail_is_detected(db):
    _some_events()
    last = AuditEvent.objects.order_by("seq").last()
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [last.seq])
    assert any("head" in p.problem for p in verify_chain())


def test_audit_details_never_hold_a_cpr(db):
    event = record(Action.CASE_SEARCH, actor=None, details={"criterion": "søgte 1403150123"})
    assert event.details["criterion"] == "søgte [CPR]"


def test_read_retention_purges_payload_and_chain_still_verifies(world):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from kreds.audit.services import purge_expired_reads

    with time_machine.travel(timezone.now() - timedelta(days=200)):
        record(Action.CASE_VIEW, actor=world.caseworker, person_concerned="child-1")
        record(Action.CASE_UPDATE, actor=world.caseworker, person_concerned="child-1")
    record(Action.CASE_VIEW, actor=world.caseworker, person_concerned="child-1")
    assert purge_expired_reads() == 1
    old_read = AuditEvent.objects.get(action=Action.CASE_VIEW, purged_at__isnull=False)
    assert old_read.actor is None and old_read.person_concerned == ""
    assert AuditEvent.objects.filter(action=Action.CASE_UPDATE, person_concerned="child-1").exists()
    assert AuditEvent.objects.filter(action=Action.CASE_VIEW, purged_at__isnull=True).count() == 1
    assert list(verify_chain()) == []
    # A change event cannot be passed off as purged.
    change = AuditEvent.objects.get(action=Action.CASE_UPDATE)
    _raw(
        f"UPDATE {AuditEvent._meta.db_table} SET purged_at = %s, person_concerned = '' WHERE seq = %s",
        [timezone.now(), change.seq],
    )
    assert any("only read events" in p.problem for p in verify_chain())
