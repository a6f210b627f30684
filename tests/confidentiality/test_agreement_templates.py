"""Templates of the agreement terms: versions are numbered by the app (never a number typed
in), and a version an agreement was made from never changes; a new version is made instead.
Proven through the services and through the admin as its most powerful users (a superuser and
an HR admin), every field re-posted, a version number included."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from confidentiality import services
from confidentiality.models import Agreement, AgreementTemplate
from tests.builders.schema import at_release

NAME = "Standard confidentiality agreement"


def change_url(template) -> str:
    return reverse("admin:confidentiality_agreementtemplate_change", args=[template.pk])


ADD_URL = reverse("admin:confidentiality_agreementtemplate_add")


@pytest.fixture
def used(pairing) -> AgreementTemplate:
    """The default template, which the pair's agreement was made from."""
    template = Agreement.objects.get(pairing=pairing).template
    assert template.is_default
    return template


@pytest.fixture(params=["superuser", "hr_admin"])
def powerful(request, signed_in_client):
    return signed_in_client(request.getfixturevalue(request.param))


# --- Services ---------------------------------------------------------------------------------


def test_versions_of_a_name_are_numbered_one_after_another(db):
    first = services.agreement_template_create(name="Executive terms", terms="One.")
    second = services.agreement_template_create(name=" Executive terms ", terms="Two.")
    other = services.agreement_template_create(name="Graduate terms", terms="Other.")

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.name == "Executive terms"


def test_numbering_carries_on_above_a_number_typed_in_before(db):
    """Rows from before the app numbered versions keep their numbers; the next is above them."""
    AgreementTemplate.objects.create(name="Old terms", version=7, terms="Typed in as 7.")

    assert services.agreement_template_create(name="Old terms", terms="New.").version == 8


def test_a_version_nobody_agreed_to_can_be_corrected(db):
    draft = services.agreement_template_create(name="Draft terms", terms="Typo.")

    services.agreement_template_update(
        template=draft, name="Draft terms", terms="Fixed.", is_default=False
    )

    draft.refresh_from_db()
    assert (draft.terms, draft.version) == ("Fixed.", 1)


def test_a_version_an_agreement_was_made_from_cannot_change(used):
    before = (used.name, used.terms, used.version)

    for name, terms in ((used.name, used.terms + " Changed."), ("Renamed", used.terms)):
        with pytest.raises(ValidationError) as refused:
            services.agreement_template_update(
                template=used, name=name, terms=terms, is_default=True
            )
        assert refused.value.code == "template_in_use"
        assert "is the text of 1 agreement, so it cannot be changed" in refused.value.messages[0]
        assert "Save as new" in refused.value.messages[0]

    used.refresh_from_db()
    assert (used.name, used.terms, used.version) == before


def test_a_new_version_takes_the_default_and_the_used_one_stays(used, pairing):
    new = services.agreement_template_create(name=used.name, terms="Clearer.", is_default=True)

    used.refresh_from_db()
    assert new.version == used.version + 1 and new.is_default and not used.is_default
    assert services.default_template() == new
    assert Agreement.objects.get(pairing=pairing).template == used


def test_the_default_is_moved_never_removed(used):
    with pytest.raises(ValidationError) as refused:
        services.agreement_template_update(
            template=used, name=used.name, terms=used.terms, is_default=False
        )
    assert refused.value.code == "template_default_needed"
    assert AgreementTemplate.objects.get(pk=used.pk).is_default


def test_a_used_version_or_the_default_is_never_deleted(used, db):
    with pytest.raises(ValidationError, match="so it is kept"):
        services.agreement_template_delete(template=used)
    unused = services.agreement_template_create(name="Spare", terms="Spare.")
    services.agreement_template_delete(template=unused)
    assert list(AgreementTemplate.objects.all()) == [used]


# --- The admin, as a superuser and as an HR admin ------------------------------------------------


def form_data(template, **changes) -> dict:
    data = {
        "name": template.name,
        "terms": template.terms,
        "is_default": "on" if template.is_default else "",
        "version": "99",  # not a field of the form: ignored
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_admin_refuses_to_change_a_used_version_in_clear_words(used, powerful):
    response = powerful.post(change_url(used), form_data(used, terms="Rewritten by an admin."))

    assert response.status_code == 200
    page = response.content.decode()
    assert "is the text of 1 agreement, so it cannot be changed" in page
    used.refresh_from_db()
    assert "Rewritten" not in used.terms and used.version == 1
    assert not LogEntry.objects.exists()


def test_admin_save_as_new_makes_the_next_version(used, powerful):
    response = powerful.post(
        change_url(used), form_data(used, terms="Clearer terms.", _saveasnew="Save as new")
    )

    assert response.status_code == 302
    new = AgreementTemplate.objects.get(terms="Clearer terms.")
    assert (new.name, new.version, new.is_default) == (used.name, 2, True)
    used.refresh_from_db()
    assert used.version == 1 and not used.is_default and "Clearer" not in used.terms


def test_admin_numbers_a_new_template_whatever_version_is_posted(db, powerful):
    response = powerful.post(ADD_URL, {"name": "Graduate terms", "terms": "Plain.", "version": 5})

    assert response.status_code == 302
    assert AgreementTemplate.objects.get(name="Graduate terms").version == 1
    page = powerful.get(ADD_URL).content.decode()
    assert 'name="version"' not in page


def test_admin_shows_a_used_version_as_fixed_and_offers_no_delete(used, powerful):
    page = powerful.get(change_url(used)).content.decode()

    assert "1 agreement was made from this version" in page
    assert "Save as new" in page
    assert 'name="version"' not in page
    delete_url = reverse("admin:confidentiality_agreementtemplate_delete", args=[used.pk])
    assert powerful.get(delete_url).status_code == 403
    assert powerful.post(delete_url, {"post": "yes"}).status_code == 403
    assert AgreementTemplate.objects.filter(pk=used.pk).exists()


def test_admin_list_counts_the_agreements_of_each_version(
    used, powerful, django_assert_max_num_queries
):
    services.agreement_template_create(name="Spare", terms="Spare.")
    url = reverse("admin:confidentiality_agreementtemplate_changelist")
    powerful.get(url)
    with django_assert_max_num_queries(12):
        page = powerful.get(url).content.decode()
    assert '<td class="field-agreements">1</td>' in page
    assert '<td class="field-agreements">0</td>' in page


# --- Migration ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_templates_of_the_previous_release_migrate_forward_unchanged():
    """Versions typed in before (with gaps) are kept as they were; numbering goes on above."""
    with at_release(("confidentiality", "0007_adopt_firewall_tables")) as old_apps:
        old = old_apps.get_model("confidentiality", "AgreementTemplate")
        rows = {
            old.objects.create(name="Old terms", version=version, terms=f"v{version}").pk: version
            for version in (1, 4)
        }

    for pk, version in rows.items():
        template = AgreementTemplate.objects.get(pk=pk)
        assert (template.name, template.version, template.terms) == (
            "Old terms",
            version,
            f"v{version}",
        )
    assert services.agreement_template_create(name="Old terms", terms="v5").version == 5
