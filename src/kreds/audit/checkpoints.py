"""Checkpoints of the audit chain outside the database (ADR 0010).

Every hour (``audit.write_checkpoint``, scheduled by ``run_worker``) the head of the chain — the last sequence
number and its hash — is written, with the time and an HMAC under the chain key, as one line::

    audit checkpoint seq=1_234 hash=3f1c9a0e:…(8 groups of 8 hex digits) at=2026-12-05T10:00:00Z key=k1 mac=…

to the application log (logger ``kreds.audit.checkpoint``, INFO) and, when ``AUDIT_CHECKPOINT_DIR`` is set, appended
to ``checkpoints-YYYY-MM-DD.log`` there (fsync'd). ``audit_verify --checkpoints PATH…`` reads such lines from files,
directories or whole log files and compares each with the database: someone who rewrites the chain (even holding
the key) or cuts rows off its end cannot change what was already written elsewhere.

The digits are grouped (``1_234``, hex in groups of eight) because log lines pass the CPR filter: ten digits in a
row, which turn up in a hex digest by chance, would be replaced by ``[CPR]``.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone

from kreds.audit.keys import UnknownKeyError, key_for, mac, same, signing_key
from kreds.audit.models import GENESIS, AuditChainHead, AuditEvent

logger = logging.getLogger("kreds.audit.checkpoint")

MARK = "audit checkpoint seq="
LINE = re.compile(
    r"audit checkpoint seq=(?P<seq>[0-9][0-9_]*) hash=(?P<hash>[0-9a-f:]+) at=(?P<at>\S+)"
    r" key=(?P<key>[A-Za-z0-9_-]{1,16}) mac=(?P<mac>[0-9a-f:]+)(?:\s|$)"
)
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _grouped(hex_digest: str) -> str:
    return ":".join(hex_digest[i : i + 8] for i in range(0, len(hex_digest), 8))


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # UTC, "2026-12-05T10:00:00Z"
    key_id: str
    mac: str

    @staticmethod
    def message(key_id: str, seq: int, chain_hash: str, at: str) -> str:
        """What the MAC covers."""
        return f"checkpoint|{key_id}|{seq}|{chain_hash}|{at}"

    def line(self) -> str:
        return (
            f"audit checkpoint seq={self.seq:_} hash={_grouped(self.hash)} at={self.at} key={self.key_id}"
            f" mac={_grouped(self.mac)}"
        )


def make_checkpoint(now: datetime | None = None) -> Checkpoint:
    """The chain head now, signed with the first key of AUDIT_CHAIN_KEY."""
    head = AuditChainHead.objects.filter(id=1).first()
    seq, chain_hash = (head.last_seq, head.last_hash) if head is not None else (0, GENESIS)
    at = (now or timezone.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    key_id, key = signing_key()
    return Checkpoint(seq, chain_hash, at, key_id, mac(key, Checkpoint.message(key_id, seq, chain_hash, at)))


def _append(directory: Path, checkpoint: Checkpoint) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoints-{checkpoint.at[:10]}.log"
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        # One write of one short line in append mode: concurrent writers never interleave inside a line.
        os.write(fd, (checkpoint.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the new file's directory entry survives a crash too
        finally:
            os.close(dir_fd)
    return path


def write_checkpoint(now: datetime | None = None) -> Checkpoint:
    """Log the chain head and, with AUDIT_CHECKPOINT_DIR, append it to that day's file."""
    checkpoint = make_checkpoint(now)
    logger.info("%s", checkpoint.line())
    directory = str(settings.AUDIT_CHECKPOINT_DIR or "")
    if directory:
        _append(Path(directory), checkpoint)
    return checkpoint


@dataclass(frozen=True)
class CheckpointProblem:
    where: str  # "path:line"
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class CheckpointReport:
    files: int = 0
    compared: int = 0
    problems: list[CheckpointProblem] = field(default_factory=list)


def checkpoint_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory stands for every file in it (not its subdirectories), by name."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"No such file or directory: {path}")
    return files


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":  # rotated logs
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _candidate_lines(files: list[Path]) -> Iterator[tuple[str, str]]:
    """(``path:line``, line) for every line that claims to be a checkpoint, among any other log lines."""
    for path in files:
        with _open(path) as handle:
            for number, line in enumerate(handle, start=1):
                if MARK in line:
                    yield f"{path}:{number}", line


def _parse(line: str) -> Checkpoint | None:
    match = LINE.search(line)
    if match is None:
        return None
    chain_hash, signature = match["hash"].replace(":", ""), match["mac"].replace(":", "")
    if not HEX64.match(chain_hash) or not HEX64.match(signature):
        return None
    return Checkpoint(int(match["seq"]), chain_hash, match["at"], match["key"], signature)


def verify_checkpoints(paths: Iterable[str | Path], batch_size: int = 1000) -> CheckpointReport:
    """Compare every checkpoint found in ``paths`` with the database.

    Each must be readable, carry a valid MAC under a key in AUDIT_CHAIN_KEY, and name a row that exists and has
    the checkpoint's hash. A checkpoint beyond the last row means rows were cut off the end.
    """
    files = checkpoint_files(paths)
    report = CheckpointReport(files=len(files))
    signed: list[tuple[str, Checkpoint]] = []
    for where, line in _candidate_lines(files):
        checkpoint = _parse(line)
        if checkpoint is None:
            report.problems.append(CheckpointProblem(where, "unreadable checkpoint line: it was changed or cut"))
            continue
        try:
            key = key_for(checkpoint.key_id)
        except UnknownKeyError as exc:
            report.problems.append(CheckpointProblem(where, f"{exc}: the checkpoint cannot be checked"))
            continue
        expected = mac(key, Checkpoint.message(checkpoint.key_id, checkpoint.seq, checkpoint.hash, checkpoint.at))
        if not same(expected, checkpoint.mac):
            report.problems.append(
                CheckpointProblem(where, "the checkpoint's MAC does not match: the line was forged or changed")
            )
            continue
        signed.append((where, checkpoint))
    if not files or (not signed and not report.problems):
        report.problems.append(CheckpointProblem(", ".join(str(p) for p in files) or "-", "no checkpoints found"))
        return report

    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    wanted = sorted({c.seq for _, c in signed if 0 < c.seq <= last_seq})
    hashes: dict[int, str] = {}
    for i in range(0, len(wanted), batch_size):
        hashes.update(AuditEvent.objects.filter(seq__in=wanted[i : i + batch_size]).values_list("seq", "hash"))
    for where, checkpoint in signed:
        report.compared += 1
        seq = checkpoint.seq
        label = f"checkpoint at seq {seq} ({checkpoint.at})"
        if seq == 0:
            if checkpoint.hash != GENESIS:
                report.problems.append(CheckpointProblem(where, f"{label} of an empty chain has a hash"))
        elif seq > last_seq:
            report.problems.append(
                CheckpointProblem(
                    where, f"{label}, but the last event is seq {last_seq}: events at the end were removed"
                )
            )
        elif seq not in hashes:
            report.problems.append(CheckpointProblem(where, f"{label}: that event is missing, it was removed"))
        elif not same(hashes[seq], checkpoint.hash):
            report.problems.append(
                CheckpointProblem(
                    where, f"{label}: the event no longer has that hash, the chain was rewritten up to here"
                )
            )
    return report
