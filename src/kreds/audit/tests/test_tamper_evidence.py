"""The audit log is tamper-evident beyond a plain hash chain (SECURITY 28, ADR 0010).

Purged rows are checked for real, the chain is keyed (HMAC with AUDIT_CHAIN_KEY, rotation, legacy rows), and
checkpoints written outside the database catch what someone holding both the key and the database can do.
Tampering is simulated the way a database administrator would do it: by writing rows directly, past the
append-only guards of the models.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kreds.audit.apps import HOUR, check_chain_key
from kreds.audit.checkpoints import Checkpoint, _parse, verify_checkpoints, write_checkpoint
from kreds.audit.constants import Action
from kreds.audit.keys import parse_key_ring
from kreds.audit.models import EMPTY_PAYLOAD_CANONICAL, GENESIS, AuditChainHead, AuditEvent, AuditPurge
from kreds.audit.services import ChainStats, purge_expired_reads, record, verify_chain
from kreds.core.logging import RedactCprFilter, redact

K1 = b"k1-audit-chain-key-for-tests-32b"
K2 = b"k2-audit-chain-key-for-tests-32b"
RING_K1 = f"k1:{base64.b64encode(K1).decode()}"
RING_K2_K1 = f"k2:{base64.b64encode(K2).decode()},{RING_K1}"
RING_K2 = f"k2:{base64.b64encode(K2).decode()}"


@pytest.fixture(autouse=True)
def chain_key(settings):
    settings.AUDIT_CHAIN_KEY = RING_K1
    settings.AUDIT_READ_RETENTION_DAYS = 183
    settings.AUDIT_CHECKPOINT_DIR = ""


# --- helpers -------------------------------------------------------------------------------------------------------


def _events(n: int = 5, action: Action = Action.CASE_VIEW) -> list[AuditEvent]:
    return [
        record(action, actor=None, actor_label=f"user{i}", object_type="case", object_id=str(i), person_concerned="c1")
        for i in range(n)
    ]


def _tamper(seq: int, **fields) -> None:
    """What someone with write access to the database can do: change a row, past the model's guard."""
    assert models.QuerySet.update(AuditEvent.objects.filter(seq=seq), **fields) == 1


def _delete(seq: int) -> None:
    models.QuerySet.delete(AuditEvent.objects.filter(seq=seq))


def _rechain(from_seq: int, *, key_id: str, key: bytes | None) -> None:
    """Recompute digest and link of every row from ``from_seq`` on (and the head), as a full rewrite would."""
    prev = GENESIS
    last = 0
    for event in AuditEvent.objects.order_by("seq"):
        if event.seq >= from_seq:
            event.prev_hash = prev
            if event.purged_at is None:
                event.payload_digest = event.compute_payload_digest()
            event.key_id = key_id
            event.hash = event.compute_hash(key)
            _tamper(
                event.seq,
                prev_hash=event.prev_hash,
                payload_digest=event.payload_digest,
                key_id=key_id,
                hash=event.hash,
            )
        prev, last = event.hash, event.seq
    AuditChainHead.objects.filter(id=1).update(last_hash=prev, last_seq=last)


def _erase(seq: int, purged_at: datetime) -> None:
    """Empty a row the way the retention job does, without its purge record."""
    _tamper(
        seq,
        actor=None,
        actor_label="",
        municipality=None,
        object_type="",
        object_id="",
        person_concerned="",
        purpose="",
        request_id="",
        ip=None,
        details={},
        purged_at=purged_at,
    )


def _problems() -> list[tuple[int, str]]:
    return [(p.seq, p.problem) for p in verify_chain()]


def _verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit_verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _verify_fails(*args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def _old_read_and_change(days: int = 200) -> tuple[AuditEvent, AuditEvent]:
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        read = record(Action.CASE_VIEW, actor=None, actor_label="old", person_concerned="child-1")
        change = record(Action.CASE_UPDATE, actor=None, actor_label="old", person_concerned="child-1")
    return read, change


# --- the keyed chain -----------------------------------------------------------------------------------------------


def test_new_rows_are_keyed_with_the_first_key_and_verify(db):
    events = _events(3)
    for event in events:
        event.refresh_from_db()
        assert event.key_id == "k1"
        expected = hmac.new(K1, event.chain_header().encode(), hashlib.sha256).hexdigest()
        assert event.hash == expected != hashlib.sha256(event.chain_header().encode()).hexdigest()
    assert _problems() == []


def test_record_needs_no_extra_query_for_the_key(db):
    _events(1)
    with CaptureQueriesContext(connection) as ctx:
        _events(1)
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 3, statements  # lock the head, insert the event, move the head


@pytest.mark.parametrize("as_legacy", [True, False], ids=["unkeyed", "plain-sha256-claiming-k1"])
def test_rewrite_recomputed_with_plain_sha256_is_detected(db, as_legacy):
    events = _events(5)
    _tamper(events[2].seq, actor_label="mallory")
    _rechain(events[2].seq, key_id="" if as_legacy else "k1", key=None)
    problems = _problems()
    assert problems and min(seq for seq, _ in problems) == events[2].seq
    if as_legacy:
        assert any("unkeyed row after keyed rows" in p for _, p in problems)
    else:
        assert any("keyed hash" in p for _, p in problems)


def test_rewrite_recomputed_with_a_wrong_key_is_detected(db):
    events = _events(5)
    _tamper(events[1].seq, person_concerned="someone-else")
    _rechain(events[1].seq, key_id="k1", key=os.urandom(32))
    problems = _problems()
    assert {seq for seq, _ in problems} == {e.seq for e in events[1:]}
    assert all("keyed hash" in p for _, p in problems)


def test_rewrite_with_the_key_passes_the_database_check(db):
    """The limit of the key: whoever holds it and the database can rewrite; only checkpoints catch that."""
    events = _events(4)
    _tamper(events[1].seq, actor_label="mallory")
    _rechain(events[1].seq, key_id="k1", key=K1)
    assert _problems() == []


def test_legacy_unkeyed_rows_followed_by_keyed_rows_verify(db):
    _events(3)
    _rechain(0, key_id="", key=None)  # as written before the chain was keyed
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {""}
    _events(2)
    stats = ChainStats()
    assert list(verify_chain(stats=stats)) == []
    assert (stats.events, stats.legacy, stats.keyed) == (5, 3, 2)
    out, _ = _verify()
    assert "Audit chain intact: 5 events (2 keyed, 3 unkeyed" in out


def test_a_legacy_looking_row_after_keyed_rows_is_refused(db):
    events = _events(4)
    _rechain(events[2].seq, key_id="", key=None)
    problems = _problems()
    assert [seq for seq, p in problems if "unkeyed row after keyed rows" in p] == [events[2].seq, events[3].seq]
    assert all(seq >= events[2].seq for seq, _ in problems)


def test_key_rotation_keeps_old_rows_verifiable_and_a_missing_key_is_reported(db, settings):
    old = _events(2)
    settings.AUDIT_CHAIN_KEY = RING_K2_K1
    new = _events(2)
    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == ["k1", "k1", "k2", "k2"]
    assert _problems() == []
    settings.AUDIT_CHAIN_KEY = RING_K2
    problems = _problems()
    assert [seq for seq, _ in problems] == [e.seq for e in old]
    assert all("key id k1 is not in AUDIT_CHAIN_KEY" in p for _, p in problems)
    assert not any(seq in {e.seq for e in new} for seq, _ in problems)


def test_key_ring_is_validated(settings):
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        parse_key_ring("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(ImproperlyConfigured, match="twice"):
        parse_key_ring(f"{RING_K1},{RING_K1}")
    settings.AUDIT_CHAIN_KEY = "not a key ring"
    assert [e.id for e in check_chain_key()] == ["audit.E001"]
    settings.AUDIT_CHAIN_KEY = RING_K2_K1
    assert check_chain_key() == []


def test_production_refuses_to_start_without_the_chain_key():
    code = "import django; django.setup()"
    env = {
        **os.environ,
        "KREDS_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "CPR_KEYS": "k1:" + "A" * 43 + "=",
        "CPR_INDEX_KEY": "B" * 43 + "=",
        "SITE_URL": "https://kreds.example.dk",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("AUDIT_CHAIN_KEY", None)
    env.pop("AUDIT_CHAIN_KEY_FILE", None)
    failed = subprocess.run(  # noqa: S603 (our own interpreter, a constant program)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert failed.returncode != 0 and "AUDIT_CHAIN_KEY must be set" in failed.stderr


# --- purged rows -----------------------------------------------------------------------------------------------------


def test_a_genuinely_expired_purged_read_verifies_even_after_the_retention_changed(db, settings):
    read, change = _old_read_and_change()
    recent = record(Action.CASE_VIEW, actor=None, actor_label="now", person_concerned="child-1")
    assert purge_expired_reads() == 1
    read.refresh_from_db()
    run = AuditPurge.objects.get()
    assert read.purged_at == run.purged_at and (run.retention_days, run.count, run.key_id) == (183, 1, "k1")
    assert read.payload_canonical() == EMPTY_PAYLOAD_CANONICAL  # the erase leaves exactly the known empty payload
    assert AuditEvent.objects.get(seq=change.seq).person_concerned == "child-1"
    assert AuditEvent.objects.get(seq=recent.seq).purged_at is None
    assert _problems() == []
    # The retention is raised later: the run's own (sealed) retention counts, not today's setting.
    settings.AUDIT_READ_RETENTION_DAYS = 365
    assert _problems() == []
    assert "1 purged by 1 sealed retention run(s) with 183 days of retention" in _verify()[0]


def test_recently_purged_read_is_detected(db):
    """Emptying a recent case.view (and setting purged_at) to hide who looked is the forgery this catches."""
    events = _events(3)
    _erase(events[1].seq, timezone.now())
    assert _problems() == [
        (events[1].seq, "purged, but no sealed purge record has its purge time: the row was changed")
    ]
    assert f"seq {events[1].seq}: purged, but no sealed purge record" in _verify_fails()


def test_recent_read_stamped_with_a_genuine_purge_time_is_detected(db):
    _old_read_and_change()
    assert purge_expired_reads() == 1
    run = AuditPurge.objects.get()
    recent = _events(1)[0]
    _erase(recent.seq, run.purged_at)
    problems = _problems()
    assert (
        recent.seq,
        f"purged at {run.purged_at.isoformat()}, before its 183 days of retention had passed: the row was changed",
    ) in problems
    assert any("it erased 1 events, but 2 rows carry its time" in p for _, p in problems)


def test_recently_purged_read_in_an_unkeyed_legacy_chain_is_detected(db):
    """Without any keyed row (a database from before the key), the retention setting is the rule."""
    events = _events(3)
    _rechain(0, key_id="", key=None)
    _erase(events[1].seq, timezone.now())
    assert _problems() == [
        (events[1].seq, "purged before AUDIT_READ_RETENTION_DAYS (183) had passed: the row was changed")
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_concerned", "child-1"),
        ("actor_label", "someone"),
        ("object_id", "42"),
        ("request_id", "req-1"),
        ("purpose", "casework"),
        ("ip", "10.0.0.1"),
        ("details", {"criterion": "x"}),
    ],
)
def test_a_purged_read_with_a_leftover_personal_field_is_detected(db, field, value):
    read, _change = _old_read_and_change()
    purge_expired_reads()
    _tamper(read.seq, **{field: value})
    assert _problems() == [
        (read.seq, "a purged row must have every personal field empty, but this one has some: the row was changed")
    ]


def test_a_purged_change_event_is_detected(db):
    _read, change = _old_read_and_change()
    purge_expired_reads()
    run = AuditPurge.objects.get()
    _erase(change.seq, run.purged_at)  # old enough, and stamped with a genuine run: still not a read
    problems = _problems()
    assert (change.seq, "only read events may be purged: the row was changed") in problems


def test_a_forged_purge_record_is_detected(db):
    events = _events(2)
    forged_at = timezone.now()
    AuditPurge.objects.create(purged_at=forged_at, retention_days=0, count=1, key_id="k1", seal="0" * 64)
    _erase(events[0].seq, forged_at)
    problems = [str(p) for p in verify_chain()]
    assert any("seal does not match" in p for p in problems)
    assert any(p.startswith(f"seq {events[0].seq}: purged, but no sealed purge record") for p in problems)


def test_a_restored_purged_row_is_detected(db):
    """Putting erased personal data back (from a backup) makes the row verify again, but the run's count tells."""
    read, _change = _old_read_and_change()
    purge_expired_reads()
    _tamper(read.seq, actor_label="old", person_concerned="child-1", purged_at=None)
    problems = [str(p) for p in verify_chain()]
    assert len(problems) == 1 and "it erased 1 events, but 0 rows carry its time" in problems[0]


def test_rows_purged_before_the_key_verify_and_later_unsealed_purges_do_not(db):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = _events(2)
    _rechain(0, key_id="", key=None)
    _erase(old[0].seq, timezone.now() - timedelta(days=10))  # purged by the old retention job, before the upgrade
    _events(2)  # the upgrade: keyed rows from here on
    assert _problems() == []
    _erase(old[1].seq, timezone.now() + timedelta(days=2))
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert _problems() == [
            (old[1].seq, "purged, but no sealed purge record has its purge time: the row was changed")
        ]


# --- checkpoints ---------------------------------------------------------------------------------------------------


def test_checkpoint_task_writes_the_log_line_and_the_file(db, settings, tmp_path, caplog):
    from kreds.audit.tasks import write_checkpoint_task
    from kreds.core import schedule

    assert {job.name: job.every for job in schedule.periodic()}["audit.write_checkpoint"] == HOUR
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    _events(3)
    head = AuditChainHead.objects.get()
    caplog.set_level(logging.INFO, logger="kreds.audit.checkpoint")
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=UTC), tick=False):
        line = write_checkpoint_task.call()
        write_checkpoint_task.call()
    assert line.startswith(f"audit checkpoint seq={head.last_seq:_} hash={head.last_hash[:8]}:")
    assert " at=2026-12-05T10:00:00Z key=k1 mac=" in line
    records = [r for r in caplog.records if r.name == "kreds.audit.checkpoint"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert records[0].getMessage() == line
    written = (tmp_path / "checkpoints" / "checkpoints-2026-12-05.log").read_text().splitlines()
    assert written == [line, line]
    checkpoint = _parse(line)
    assert checkpoint is not None and (checkpoint.seq, checkpoint.hash) == (head.last_seq, head.last_hash)


def test_checkpoint_line_survives_the_cpr_filter():
    """Ten digits in a row turn up in hex digests by chance; the line must not come out of the log as [CPR]."""
    digits = "0123456789" + "a" * 54
    checkpoint = Checkpoint(1234567890, digits, "2026-12-05T10:00:00Z", "k1", "1403150123" + "b" * 54)
    line = checkpoint.line()
    assert redact(line) == line
    assert _parse(line) == checkpoint


def _log_file_with_checkpoint(path: Path) -> Path:
    """The checkpoint as it comes out of the application log: formatted, filtered, among other lines."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(RedactCprFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("kreds.audit.checkpoint")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        logging.getLogger("kreds.audit.checkpoint").info("something else entirely")
        write_checkpoint()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2026-12-05 10:00:01,000 INFO django.request GET /healthz 200\n")
    return path


def test_audit_verify_with_checkpoints_passes_on_an_intact_chain(db, settings, tmp_path):
    directory = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_DIR = str(directory)
    write_checkpoint()  # of the empty chain
    _events(3)
    write_checkpoint()
    _events(2)
    log = _log_file_with_checkpoint(tmp_path / "kreds.log")
    out, err = _verify("--checkpoints", str(directory), str(log))
    assert err == ""
    assert "Audit chain intact: 5 events (5 keyed, 0 unkeyed" in out
    assert "4 checkpoints compared" in out  # 3 in the directory (one of them also went to the log), 1 in the log file
    assert len(list(directory.iterdir())) == 1


def test_audit_verify_without_checkpoints_reports_none_compared(db):
    _events(2)
    assert "2 events" in _verify()[0] and "0 checkpoints compared" in _verify()[0]


def test_rewrite_with_the_key_before_a_checkpoint_is_caught_by_the_checkpoint(db, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    events = _events(5)
    write_checkpoint()
    _events(1)
    _tamper(events[1].seq, actor_label="mallory")
    _rechain(events[1].seq, key_id="k1", key=K1)  # the full rewrite someone with the key and the database can do
    assert _problems() == []
    err = _verify_fails("--checkpoints", str(tmp_path))
    assert f"checkpoint at seq {events[-1].seq}" in err and "the chain was rewritten up to here" in err


def test_whole_chain_recomputed_without_the_key_is_caught_by_the_checkpoint(db, settings, tmp_path):
    """Turning every row back into an unkeyed one cannot be told from a pre-key database; a checkpoint tells."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    events = _events(3)
    write_checkpoint()
    _tamper(events[0].seq, actor_label="mallory")
    _rechain(events[0].seq, key_id="", key=None)
    assert _problems() == []
    assert "the chain was rewritten up to here" in _verify_fails("--checkpoints", str(tmp_path))


def test_truncation_is_caught_by_the_checkpoint(db, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    events = _events(5)
    write_checkpoint()
    for event in events[3:]:
        _delete(event.seq)
    AuditChainHead.objects.filter(id=1).update(last_seq=events[2].seq, last_hash=events[2].hash)
    assert _problems() == []  # the head was moved back too: nothing in the database tells
    err = _verify_fails("--checkpoints", str(tmp_path))
    assert f"checkpoint at seq {events[4].seq}" in err and "events at the end were removed" in err
    # New events after the cut: the checkpoint's row is missing now.
    later = _events(1)[0]
    assert later.seq > events[4].seq
    assert "that event is missing, it was removed" in _verify_fails("--checkpoints", str(tmp_path))


def test_a_tampered_checkpoint_line_is_reported(db, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    _events(3)
    checkpoint = write_checkpoint()
    (path,) = tmp_path.iterdir()
    genuine = path.read_text().strip()
    forged_hash = Checkpoint(2, "f" * 64, checkpoint.at, "k1", checkpoint.mac).line()
    foreign_key = genuine.replace(" key=k1 ", " key=k9 ")
    cut = genuine[:60]
    path.write_text("\n".join([genuine, forged_hash, foreign_key, cut]) + "\n")
    report = verify_checkpoints([tmp_path])
    assert report.compared == 1
    assert [p.where for p in report.problems] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "MAC does not match" in report.problems[0].problem
    assert "key id k9 is not in AUDIT_CHAIN_KEY" in report.problems[1].problem
    assert "unreadable checkpoint line" in report.problems[2].problem
    assert "MAC does not match" in _verify_fails("--checkpoints", str(path))


def test_checkpoints_under_a_rotated_key_still_verify(db, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    _events(2)
    write_checkpoint()
    settings.AUDIT_CHAIN_KEY = RING_K2_K1
    _events(2)
    write_checkpoint()
    assert "2 checkpoints compared" in _verify("--checkpoints", str(tmp_path))[0]


def test_no_checkpoints_in_the_given_paths_fails(db, tmp_path):
    (tmp_path / "kreds.log").write_text("2026-12-05 10:00:01,000 INFO django.request GET /healthz 200\n")
    assert "no checkpoints found" in _verify_fails("--checkpoints", str(tmp_path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("audit_verify", "--checkpoints", str(tmp_path / "missing"), stdout=StringIO())
