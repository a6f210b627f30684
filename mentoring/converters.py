"""The one path converter for object ids in every URL.

Django's `int` converter takes any number of digits, and an id beyond what a database's
64-bit integer holds reached the views (an OverflowError, HTTP 500, on a related-field
lookup). `id` takes 1 to 19 digits and refuses anything above 2**63 - 1, so such an id is
simply a URL that matches nothing: a 404, before any view or query runs. Registered once, by
MentoringConfig.ready(), before any app's URL module is imported.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id beyond 64 bits")  # the resolver turns this into "no match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
