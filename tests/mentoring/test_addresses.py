"""`address_for_each` (core/addresses.py) reverses once per page: each address must be the
one `reverse()` gives, under a script prefix too."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from core.addresses import address_for_each


@pytest.mark.parametrize("prefix", ["/", "/mentoring/"])
def test_each_address_is_reverses(prefix):
    set_script_prefix(prefix)
    try:
        note = address_for_each("confidentiality:note")
        suggestions = address_for_each("pairings:suggestions", "company-wide-2027")
        for pk in (1, 7, 42, 2_147_483_629, 10**12):
            assert note(pk) == reverse("confidentiality:note", args=[pk])
            assert suggestions(pk) == reverse(
                "pairings:suggestions", args=["company-wide-2027", pk]
            )
        assert note(5).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_an_id_is_a_number_never_text():
    with pytest.raises(ValueError):
        address_for_each("confidentiality:note")("1/../../admin")
