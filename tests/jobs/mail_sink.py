"""An e-mail backend for the crash test: it records each e-mail as a row of `jobs_mail_sink`
on the worker's own database connection, inside the transaction that claims the message.

A real SMTP relay is outside the database, so a crash in the instant between handing it the
e-mail and the commit can repeat an e-mail (with the same Message-ID). This sink stands in
for a relay that takes part in the transaction; with it the test can count what the
claim-and-mark protocol guarantees: each due message delivered exactly once, whatever the
moment the worker is killed. `SINK_DELAY_MS` slows each send so the kill lands mid-batch.
"""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

TABLE = "jobs_mail_sink"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "id serial PRIMARY KEY, message_id text NOT NULL, recipient text NOT NULL, "
    "subject text NOT NULL)"
)


class DatabaseSinkBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        delay = int(os.environ.get("SINK_DELAY_MS", "0")) / 1000
        with connection.cursor() as cursor:
            for email in email_messages:
                if delay:
                    time.sleep(delay)
                cursor.execute(
                    f"INSERT INTO {TABLE} (message_id, recipient, subject) VALUES (%s, %s, %s)",  # noqa: S608
                    [email.extra_headers["Message-ID"], ",".join(email.to), email.subject],
                )
        return len(email_messages)
