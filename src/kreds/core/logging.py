"""Logging filters: CPR numbers never reach a log line; each line carries the request id and client address."""

from __future__ import annotations

import logging
import re

from kreds.core.request_context import current_client_ip, current_request_id

# Anything shaped like a CPR number: six digits, optional dash/space, four digits, not part of a longer number.
CPR_LIKE = re.compile(r"(?<!\d)(\d{6})[- ]?(\d{4})(?!\d)")
REDACTED = "[CPR]"
# Personal-link tokens in request paths (access logs, error reports) are secrets too.
LINK_TOKEN = re.compile(r"/l/[A-Za-z0-9_-]{16,}")


# UUIDs are made by the system; ten digits in a row turn up in them by chance and must not be garbled.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def redact(text: str) -> str:
    text = LINK_TOKEN.sub("/l/[LINK]", text)
    out, last = [], 0
    for match in UUID.finditer(text):
        out.append(CPR_LIKE.sub(REDACTED, text[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(CPR_LIKE.sub(REDACTED, text[last:]))
    return "".join(out)


class RedactCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        # The address kreds.core.clientip.client_ip() chose (the real client behind trusted proxies).
        record.client_ip = current_client_ip() or "-"
        return True
