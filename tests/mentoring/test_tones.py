"""Status words and their tones (mentoring/templatetags/pages.py): every status a model can
hold has a tone, so no badge falls back to the neutral look by oversight."""

from django.apps import apps

from core.tones import TONES
from mentoring.templatetags.pages import tone


def test_every_status_of_every_model_has_a_tone():
    missing, checked = [], 0
    for model in apps.get_models():
        if model._meta.app_label not in {"programs", "pairings", "reviews"}:
            continue
        for field in model._meta.fields:
            if field.name in ("status", "choice") and field.choices:
                checked += 1
                missing += [
                    f"{model.__name__}.{field.name}={value}"
                    for value, _ in field.choices
                    if value not in TONES
                ]
    assert checked >= 7  # programs, applications, votes, registrations, pairings, goals, ...
    assert missing == []


def test_an_unknown_word_is_neutral():
    assert tone("admitted") == "good"
    assert tone("something else") == "neutral"
