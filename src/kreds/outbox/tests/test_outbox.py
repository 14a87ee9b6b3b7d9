"""The outbox: one row per key, the worker sends each e-mail row once, also with two workers at the same time."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kreds.outbox import registry
from kreds.outbox.constants import MAX_ATTEMPTS, Channel
from kreds.outbox.models import Outbox
from kreds.outbox.services import queue
from kreds.outbox.tasks import retry_rows, send_pending, send_row
from kreds.testing.factories import UserFactory

KIND = "test_note"


class Recorder:
    """A sender of our own that records what it sent (thread-safe), a little slowly so that workers overlap."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.sent: list[str] = []
        self.lock = threading.Lock()
        self.delay, self.fail = delay, fail

    def __call__(self, row: Outbox) -> str:
        if self.fail:
            raise ConnectionError("mail server down")
        time.sleep(self.delay)
        with self.lock:
            self.sent.append(row.key)
        row.mark_sent()
        return "sent"


@pytest.fixture
def recorder():
    sender = Recorder()
    registry.register(KIND, sender, label="Test note")
    yield sender
    registry.unregister(KIND)


@pytest.mark.django_db
def test_queue_creates_one_row_per_key_even_inside_an_atomic_block(recorder, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        first = queue(KIND, "note:1", user=user)
        again = queue(KIND, "note:1", user=user)
        assert first is not None and again is None
        assert Outbox.objects.count() == 1  # the transaction is still usable after the duplicate
    assert len(callbacks) == 1, "the e-mail row is handed to the worker once, after commit"
    assert first.get_kind_display() == "Test note"


@pytest.mark.django_db
def test_queue_refuses_unknown_kinds_and_rows_without_one_recipient(recorder):
    user = UserFactory()
    with pytest.raises(ValueError):
        queue("no_such_kind", "x:1", user=user)
    with pytest.raises(ValueError):
        queue(KIND, "x:2")
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_a_row_is_sent_once_and_a_letter_never(recorder):
    user = UserFactory()
    row = queue(KIND, "note:1", user=user, send=False)
    letter = queue(KIND, "note:2", user=user, channel=Channel.LETTER)
    assert send_row(row.pk) == "sent"
    assert send_row(row.pk) == "already sent"
    assert send_row(letter.pk) == "letter"
    assert recorder.sent == ["note:1"]
    letter.refresh_from_db()
    assert letter.sent_at is None and letter.attempts == 0


@pytest.mark.django_db
def test_a_sender_that_raises_counts_an_attempt_and_is_retried_a_bounded_number_of_times():
    failing = Recorder(fail=True)
    registry.register(KIND, failing, label="Test note")
    try:
        row = queue(KIND, "note:1", user=UserFactory(), send=False)
        assert send_row(row.pk) == "failed"
        row.refresh_from_db()
        assert row.attempts == 1 and row.sent_at is None and row.last_error == "failed: ConnectionError"
        later = timezone.now() + datetime.timedelta(minutes=11)
        assert retry_rows(later) == [row]
        for _ in range(MAX_ATTEMPTS):
            send_pending(later)
        row.refresh_from_db()
        assert row.attempts == MAX_ATTEMPTS and retry_rows(later) == []
    finally:
        registry.unregister(KIND)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks (SELECT … FOR UPDATE SKIP LOCKED): SQLite runs one writer at a time and one worker",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_the_same_time_send_every_message_exactly_once():
    sender = Recorder(delay=0.01)
    registry.register(KIND, sender, label="Test note")
    try:
        user = UserFactory()
        rows = [queue(KIND, f"note:{i}", user=user, send=False) for i in range(40)]
        later = timezone.now() + datetime.timedelta(minutes=11)
        start = threading.Barrier(2)
        done: dict[str, dict[str, int]] = {}
        errors: list[BaseException] = []

        def loop(name: str) -> None:
            try:
                start.wait()
                done[name] = send_pending(later)  # each thread has its own database connection
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        def by_id(name: str) -> None:
            # A duplicate task for every row at the same time: it skips rows being sent and finds sent ones sent.
            try:
                start.wait()
                for row in reversed(rows):
                    send_row(row.pk)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        for pair in ((loop, loop), (loop, by_id)):
            start.reset()
            threads = [threading.Thread(target=f, args=(f"{f.__name__}{i}",)) for i, f in enumerate(pair)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            assert not errors, errors
            if pair[1] is loop:
                assert sorted(sender.sent) == sorted(r.key for r in rows), "every message sent exactly once"
                assert done["loop0"].get("sent") and done["loop1"].get("sent"), "both workers took part"
                # Queue a second batch for the loop and a duplicate task per row.
                rows = [queue(KIND, f"second:{i}", user=user, send=False) for i in range(40)]
        assert len(sender.sent) == len(set(sender.sent)) == 80
        assert not Outbox.objects.filter(sent_at__isnull=True).exists()
    finally:
        registry.unregister(KIND)
