"""Background work: a real task enqueued and run by db_worker; /healthz reports it (on both databases)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kreds.core.models import WorkerHeartbeat
from kreds.core.tasks import heartbeat


@pytest.mark.django_db(transaction=True)
def test_db_worker_runs_an_enqueued_task(client):
    assert client.get(reverse("healthz")).json()["worker"]["ok"] is False
    result = heartbeat.enqueue("test-worker")
    assert DBTaskResult.objects.filter(id=result.id).exists()
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert WorkerHeartbeat.objects.filter(worker="test-worker").exists()
    body = client.get(reverse("healthz")).json()
    assert body == {
        "status": "ok",
        "database": {"ok": True, "engine": body["database"]["engine"]},
        "worker": body["worker"],
    }
    assert body["worker"]["ok"] is True


def test_healthz_holds_no_personal_data(world, client):
    body = client.get(reverse("healthz")).content.decode()
    assert world.case.child.last_name not in body and world.caseworker.username not in body


def test_mail_goes_through_mailers(settings):
    from django.core.mail import EmailMessage

    assert "default" in settings.MAILERS
    EmailMessage("Emne", "Tekst", to=["a@kommune.invalid"]).send()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_daily_jobs_run_in_the_worker():
    from kreds.audit.tasks import purge_expired_reads_task
    from kreds.core.tasks import prune_finished_heartbeats

    heartbeat.enqueue("w")
    purge = purge_expired_reads_task.enqueue()
    prune = prune_finished_heartbeats.enqueue(0)
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert DBTaskResult.objects.get(id=purge.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(id=prune.id).status == "SUCCESSFUL"


def test_run_worker_schedules_every_periodic_job():
    """Every app's periodic job is enqueued when the worker starts, and again only when its interval has passed."""
    from unittest import mock

    from kreds.core import schedule

    names = {job.name for job in schedule.periodic()}
    assert {
        "meetings.dispatch_due",
        "outbox.send_due",
        "audit.purge_expired_reads",
        "participants.prune_link_data",
        "core.prune_finished_heartbeats",
        "documents.purge_orphan_files",
        "insights.queue_digests",
        "audit.write_checkpoint",
        "audit.retry_security_alerts",
        "core.clear_expired_sessions",
        "core.prune_login_records",
    } <= names
    enqueued: list[str] = []
    jobs = {job.name: job for job in schedule.periodic()}
    with mock.patch.multiple(
        "kreds.core.schedule",
        _REGISTRY={
            name: schedule.Periodic(name, mock.Mock(enqueue=lambda *a, n=name: enqueued.append(n)), job.every)
            for name, job in jobs.items()
        },
    ):
        last: dict[str, float] = {}
        assert set(schedule.enqueue_due(last, 0.0)) == names  # all at start
        assert schedule.enqueue_due(last, 60.0) == []
        every_five_minutes = {"meetings.dispatch_due", "outbox.send_due", "audit.retry_security_alerts"}
        assert set(schedule.enqueue_due(last, 5 * 60.0)) == every_five_minutes
        assert set(schedule.enqueue_due(last, 24 * 3600.0)) == names
    assert len(enqueued) == 2 * len(names) + len(every_five_minutes)
