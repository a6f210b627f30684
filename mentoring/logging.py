"""A logging filter that keeps confidential text out of log records (F9).

Database errors can quote the row they refused (PostgreSQL's "DETAIL: Key (...)=(...)"), and
an exception message can carry a value. Records from the app and from Django's request and
database loggers keep their message and exception type, and lose those details.
"""

import logging
import re

_DETAIL = re.compile(r"(DETAIL|HINT|CONTEXT):.*", re.DOTALL)


class RedactConfidentialFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc_type = record.exc_info[0]
            message = _DETAIL.sub(r"\1: [withheld]", str(record.exc_info[1]))
            record.exc_text = None
            # Keep the traceback's shape for operators, without the refused values.
            record.exc_info = (
                exc_type,
                exc_type(message) if _constructible(exc_type) else None,
                record.exc_info[2],
            )
        if isinstance(record.args, tuple):
            record.args = tuple(
                _DETAIL.sub(r"\1: [withheld]", a) if isinstance(a, str) else a for a in record.args
            )
        if hasattr(record, "request"):
            # Never let a handler format the request body or its POST data.
            record.request = None
        return True


def _constructible(exc_type) -> bool:
    try:
        exc_type("x")
    except Exception:
        return False
    return True
