"""F13 The admin is metadata, through every door: the insiders' attacks on the admin.

An HR admin and a superuser, the most powerful people in the app, try every door the admin has
to mentoring content: changelist URL lookups (a count of 1 or 0 is an oracle, `__startswith`
reads a text letter by letter), search, autocomplete, sorting, history and delete pages, and
every form that could give them a role that reads mentoring content (a program's coordinators,
a user's groups and permissions, a group's permissions, guardian's object-permission pages).

The lookups are generated from `admin.site._registry`: every registered admin, every field and
reverse relation of its model. A new admin, field or relation is attacked without anyone
writing a line here.
"""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from guardian.shortcuts import get_user_perms

from confidentiality.models import Agreement, ConsentedTheme, Note, Signature
from firewall.models import AccessEvent
from pairings.models import Goal, Meeting, Pairing, PrivateEndReason
from people.admin_base import PERSON_LABEL_FIELDS, MetadataOnlyAdmin, PersonPickerTarget
from people.roles import HR_ADMINS, PROGRAM_COORDINATORS, TALENT_TEAM
from programs import selectors as program_selectors
from programs import services as program_services
from programs.models import Application, Program, Registration, Vote
from reviews import services as review_services
from reviews.models import TalentReview
from tests.builders.confidentiality import write_note
from tests.builders.pairings import add_goal, person
from tests.builders.reviews import move, plan_review

SECRET = f"quokka{uuid.uuid4().hex[:12]}"
WHO = ["superuser", "hr_admin"]

# What no admin may show, search, sort, filter on or reach through a relation.
CONFIDENTIAL_FIELDS = {
    (Application, "motivation"),
    (Application, "goals"),
    (Application, "decision_reason"),
    (Application, "availability"),
    (Vote, "comment"),
    (Vote, "choice"),
    (TalentReview, "summary"),
    (TalentReview, "rating"),
    (Note, "text"),
    (ConsentedTheme, "text"),
    (PrivateEndReason, "text"),
    (Agreement, "terms"),
    (Signature, "typed_name"),
    (Goal, "title"),
    (Pairing, "end_category"),
}
# Models whose mere rows say who takes part in mentoring, or hold what was said in it.
CONFIDENTIAL_MODELS = {
    Pairing,
    Meeting,
    Goal,
    PrivateEndReason,
    Note,
    ConsentedTheme,
    Agreement,
    Signature,
    Vote,
    Registration,
}


def registered() -> list[tuple[str, type[models.Model], admin.ModelAdmin]]:
    return sorted(
        (model._meta.label, model, model_admin)
        for model, model_admin in admin.site._registry.items()
    )


ADMINS = [label for label, _, _ in registered()]


def admin_of(label: str) -> tuple[type[models.Model], admin.ModelAdmin]:
    for name, model, model_admin in registered():
        if name == label:
            return model, model_admin
    raise LookupError(label)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def filter_paths(model_admin, request) -> set[str]:
    paths = set()
    for item in model_admin.get_list_filter(request):
        if isinstance(item, (list, tuple)):
            paths.add(item[0])
        elif isinstance(item, str):
            paths.add(item)
        else:  # a filter class of the admin's own: the parameter it declares
            paths.add(item.parameter_name)
    return paths


def lookup_names(model) -> list[tuple[str, models.Field | models.ForeignObjectRel]]:
    """Every field and reverse relation of the model, by the name a lookup uses."""
    return [(field.name, field) for field in model._meta.get_fields(include_hidden=False)]


def text_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.Field)
        and not f.is_relation
        and f.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField")
    ]


def attacks(model, model_admin, request) -> list[str]:
    """The lookups an insider tries on one changelist."""
    declared = filter_paths(model_admin, request)
    tried = ["pk=1", "pk__in=1,2", "id__gt=0"]
    for name, field in lookup_names(model):
        tried += [f"{name}__icontains=x", f"{name}__startswith=x", f"{name}__regex=.*"]
        if field.is_relation:
            if name not in declared:
                tried += [f"{name}__isnull=False", f"{name}__id=1", f"{name}__pk__in=1"]
            tried += [f"{name}__{text}__icontains=x" for text in text_fields(field.related_model)]
        elif name not in declared and name != model_admin.date_hierarchy:
            tried += [f"{name}=x", f"{name}__exact=x", f"{name}__isnull=True"]
    return tried


# --- The secrets the insiders hunt -------------------------------------------------------------


@pytest.fixture
def secrets(active_pairing, mentor, mentoree, committee, coordinator, talent_reviewer):
    """The secret word is in a note, a goal, an application's motivation, goals and
    availability, the committee's vote comments and decision reason, and a review's summary."""
    pairing = active_pairing
    write_note(pairing, mentor, f"{SECRET} private note")
    add_goal(pairing, f"{SECRET} goal")
    applicant = person(first_name="Iris", last_name="Vance", level=4)
    application = program_services.application_submit(
        applicant=applicant,
        program=pairing.program,
        role=Application.Role.MENTOREE,
        motivation=f"{SECRET} motivation",
        goals=f"{SECRET} goals",
        availability=f"{SECRET} availability",
    )
    for member in committee:
        program_services.vote_cast(
            application=application, voter=member, choice="admit", comment=f"{SECRET} comment"
        )
    program_services.application_decide(
        application=application, by=committee[0], decision="admit", reason=f"{SECRET} reason"
    )
    review = plan_review(person(first_name="Omar", last_name="Reyes"), by=talent_reviewer)
    review = move(review, by=talent_reviewer, to=TalentReview.Status.IN_SESSION)
    review_services.outcome_record(
        review=review, by=talent_reviewer, rating="strong", summary=f"{SECRET} summary"
    )
    return {
        "pairing": pairing,
        "application": Application.objects.get(pk=application.pk),
        "review": review,
    }


# --- (a) Every registered admin accepts only its own filters -------------------------------------


def test_f13_every_registered_admin_is_metadata_only():
    """Including the third-party ones (auth's groups, axes): none is left on Django's default
    lookups, and none is a guardian GuardedModelAdmin with its object-permission pages."""
    from guardian.admin import GuardedModelAdminMixin

    for label, _, model_admin in registered():
        assert isinstance(model_admin, MetadataOnlyAdmin), label
        assert not isinstance(model_admin, GuardedModelAdminMixin), label
    for model in CONFIDENTIAL_MODELS:
        assert not admin.site.is_registered(model), model._meta.label


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("label", ADMINS)
def test_f13_changelist_refuses_every_lookup_but_its_declared_filters(
    label, who, request, secrets, signed_in_client
):
    user = request.getfixturevalue(who)
    model, model_admin = admin_of(label)
    url = changelist(model)
    client = signed_in_client(user)
    may_view = model_admin.has_view_or_change_permission(request_as(user))
    refused = 400 if may_view else 403

    for attack in attacks(model, model_admin, request_as(user)):
        response = client.get(f"{url}?{attack}")
        assert response.status_code == refused, f"{who} on {label}: ?{attack}"

    if not may_view:
        return
    # The declared filters still work: every link the filter sidebar offers, the date
    # hierarchy, and plain equality on a declared field.
    page = client.get(url)
    assert page.status_code == 200
    cl = page.context["cl"]
    offered = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    if model_admin.date_hierarchy:
        offered.append(f"?{model_admin.date_hierarchy}__year=2026")
    for query in offered:
        assert client.get(f"{url}{query}").status_code == 200, f"{who} on {label}: {query}"


def test_f13_filter_links_exist_where_filters_are_declared(secrets, superuser, signed_in_client):
    """The check above really followed filter links: the busiest admins offer some."""
    client = signed_in_client(superuser)
    for model in (Application, TalentReview, AccessEvent):
        cl = client.get(changelist(model)).context["cl"]
        assert any(len(list(spec.choices(cl))) > 1 for spec in cl.filter_specs), model


# --- (b) The insider's replays ---------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_f13_replays_of_the_insider_report_are_refused(who, request, secrets, signed_in_client):
    client = signed_in_client(request.getfixturevalue(who))
    application, pairing = secrets["application"], secrets["pairing"]
    applications = changelist(Application)
    employees = changelist(pairing.mentor.__class__)
    replays = [
        f"{applications}?pk={application.pk}&goals__icontains={SECRET}",
        f"{applications}?pk={application.pk}&goals__startswith={SECRET[:1]}",
        f"{applications}?pk={application.pk}&motivation__icontains={SECRET}",
        f"{applications}?pk={application.pk}&motivation__startswith={SECRET[:2]}",
        f"{applications}?pk={application.pk}&decision_reason__icontains={SECRET}",
        f"{applications}?votes__comment__icontains={SECRET}",
        f"{applications}?applicant__mentoree_pairings__isnull=False",
        f"{employees}?mentor_pairings__isnull=False",
        f"{employees}?mentoree_pairings__id={pairing.pk}",
        f"{employees}?applications__motivation__icontains={SECRET}",
        f"{changelist(TalentReview)}?summary__icontains={SECRET}",
        f"{changelist(TalentReview)}?rating=strong",
    ]
    for url in replays:
        assert client.get(url).status_code == 400, url


@pytest.mark.parametrize("who", WHO)
def test_f13_search_finds_nothing_by_confidential_words(who, request, secrets, signed_in_client):
    """Where an admin searches, the secret word finds nothing; where it does not, the word
    changes nothing (the answer cannot depend on it)."""
    user = request.getfixturevalue(who)
    client = signed_in_client(user)
    searched = 0
    for label, model, model_admin in registered():
        if not model_admin.has_view_or_change_permission(request_as(user)):
            continue
        url = changelist(model)
        word = f"nothing{uuid.uuid4().hex}"
        secret = client.get(url, {"q": SECRET})
        nonsense = client.get(url, {"q": word})
        assert secret.status_code == nonsense.status_code == 200, label
        if model_admin.get_search_fields(request_as(user)):
            searched += 1
            assert secret.context["cl"].result_count == 0, label
        assert secret.context["cl"].result_count == nonsense.context["cl"].result_count, label
        # The page says the word only where it echoes the search, as it does any word.
        echoes = nonsense.content.decode().count(word)
        assert secret.content.decode().count(SECRET) == echoes, label
    assert searched >= 5


@pytest.mark.parametrize("who", WHO)
def test_f13_autocomplete_searches_metadata_only(who, request, secrets, signed_in_client):
    """Django's autocomplete would answer for any relation of any model whose target has an
    admin with search fields; here it answers only the pickers the admin's forms offer
    (people/admin_base.py, AutocompleteView). Every relation is tried, and every picker with no
    model field behind it: searched for the secret word, none finds anything."""
    from django.apps import apps

    client = signed_in_client(request.getfixturevalue(who))
    tried = 0
    relations = [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete
        and field.is_relation
        and field.related_model
        and admin.site.is_registered(field.related_model)
    ]
    # The pickers with no model field behind them (a program's coordinators).
    relations += [
        (model, name)
        for _, model, model_admin in registered()
        for name in model_admin.form_relations
    ]
    for model, name in relations:
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": name,
                "term": SECRET,
            },
        )
        assert response.status_code in (200, 403, 404), (model, name)
        if response.status_code == 200:
            tried += 1
            assert response.json()["results"] == [], (model, name)
        assert SECRET not in response.content.decode()
    # The five pickers of the admin's forms: coordinators, manager, a new entry's account,
    # a declared conflict's person and subject (the other relations are refused, 403).
    assert tried == 5


def sort_paths(model_admin, request) -> list[str]:
    """What a column of the list sorts by (`?o=`): its field, or its `admin_order_field`."""
    paths = []
    for name in model_admin.get_list_display(request):
        attr = getattr(model_admin, name, None) or getattr(model_admin.model, name, None)
        order = getattr(attr, "admin_order_field", None)
        paths.append(order if isinstance(order, str) else name)
    return paths


def doors(model, model_admin, request, obj) -> dict[str, list[str]]:
    """Every field path an admin reads: columns and sorting, filters, search, the form and its
    read-only fields, autocomplete and raw-id widgets, default ordering."""
    return {
        "list_display / ?o=": sort_paths(model_admin, request),
        "list_filter": sorted(filter_paths(model_admin, request)),
        "date_hierarchy": [model_admin.date_hierarchy] if model_admin.date_hierarchy else [],
        "search_fields": [f.lstrip("^=@") for f in model_admin.get_search_fields(request)],
        "form": list(model_admin.get_fields(request, obj)),
        "readonly_fields": list(model_admin.get_readonly_fields(request, obj)),
        "autocomplete": list(model_admin.get_autocomplete_fields(request)),
        # What a picker of another admin shows of each row of this one (people/admin_base.py).
        "autocomplete label": list(PERSON_LABEL_FIELDS.get(model, ()))
        if isinstance(model_admin, PersonPickerTarget)
        else [],
        "raw_id": list(model_admin.raw_id_fields),
        "ordering": [o.lstrip("-") for o in model_admin.get_ordering(request) or ()],
    }


def test_f13_no_admin_door_reads_a_confidential_field(secrets, superuser):
    request = request_as(superuser)
    for label, model, model_admin in registered():
        obj = model._default_manager.first()
        # A picker with no model field behind it chooses rows of a registered, metadata-only
        # admin, whose own doors are checked here too.
        for name, relation in model_admin.form_relations.items():
            assert admin.site.is_registered(relation.related_model), (label, name)
            assert relation.related_model not in CONFIDENTIAL_MODELS, (label, name)
        for door, paths in doors(model, model_admin, request, obj).items():
            for path in paths:
                if not isinstance(path, str) or path in ("pk", "__str__"):
                    continue
                try:
                    fields = get_fields_from_path(model, path)
                except (FieldDoesNotExist, NotRelationField):  # a method of the admin
                    continue
                for field in fields:
                    owner = field.model
                    assert (owner, field.name) not in CONFIDENTIAL_FIELDS, (label, door, path)
                    assert owner not in CONFIDENTIAL_MODELS, (label, door, path)
                    assert field.related_model not in CONFIDENTIAL_MODELS, (label, door, path)


# The kinds of rows whose mere mention says who takes part in mentoring.
MENTORING_KINDS = (
    "pairing",
    "application",
    "conflict",
    "note",
    "vote",
    "goal",
    "meeting",
    "theme",
    "agreement",
    "signature",
    "registration",
    "acceptance",
)


def page_content(response) -> str:
    """The admin page's own content, without the site's header, menus and footer."""
    html = response.content.decode()
    return html.split('id="content"', 1)[1].split("<!-- END Content -->", 1)[0].lower()


@pytest.mark.parametrize("who", WHO)
def test_f13_history_and_delete_pages_name_nothing_of_mentoring(
    who, request, secrets, signed_in_client
):
    """A delete page names the objects themselves, never the rows that go with them nor their
    kinds (Django lists the mentor's pairing and conflict entries, the program's applications
    and votes, even as kinds the user may not delete)."""
    user = request.getfixturevalue(who)
    client = signed_in_client(user)
    pairing, application = secrets["pairing"], secrets["application"]
    opened = 0
    for obj in (
        pairing.mentor,
        pairing.mentor.user,
        pairing.mentoree,
        pairing.program,
        application,
    ):
        opts = obj._meta
        for page in ("history", "delete"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])
            response = client.get(url)
            assert response.status_code in (200, 403), url
            if response.status_code != 200:
                continue
            opened += 1
            content = page_content(response)
            assert SECRET not in content, url
            for kind in MENTORING_KINDS:
                assert kind not in content.replace(str(obj).lower(), ""), (url, kind)
    # The delete_selected action's confirmation is the same page.
    response = client.post(
        changelist(Program), {"action": "delete_selected", "_selected_action": [pairing.program.pk]}
    )
    if response.status_code == 200 and "deletable_objects" in response.context:
        content = page_content(response).replace(str(pairing.program).lower(), "")
        assert not [kind for kind in MENTORING_KINDS if kind in content]
    assert opened == (9 if who == "superuser" else 5)
    assert Program.objects.filter(pk=pairing.program.pk).exists()


# --- (c) Nobody gives themselves a role in the admin ---------------------------------------------


class _FormFields(HTMLParser):
    """The fields of one form of a page, as the browser would post them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(response, form_id: str) -> dict[str, list[str]]:
    assert response.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    data = {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}
    # A textarea's content starts after its tag's line break, as a browser posts it.
    return {k: [v.removeprefix("\n") for v in values] for k, values in data.items()}


def hostile_extras(user) -> dict[str, object]:
    """Fields no form offers, posted all the same: every field of the program and its roles."""
    return {
        "status": Program.Status.RUNNING,
        "created_by": user.pk,
        "committee": [user.pk],
        "committee_members": [user.pk],
        "reviewers": [user.pk],
        "leader": user.pk,
        "user_permissions": [p.pk for p in Permission.objects.filter(codename__contains="program")],
        "groups": [g.pk for g in Group.objects.all()],
        "is_superuser": "on",
    }


def role_state(user, program) -> dict:
    user.refresh_from_db()
    return {
        "object_perms": sorted(get_user_perms(user, program)) if program else [],
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_perms": sorted(user.user_permissions.values_list("codename", flat=True)),
        "is_superuser": user.is_superuser,
        "grants": AccessEvent.objects.filter(action=AccessEvent.Action.GRANT).count(),
    }


@pytest.mark.parametrize("who", WHO)
def test_f13_nobody_names_themselves_coordinator_in_the_program_form(
    who, request, program, signed_in_client
):
    """The program form re-posted with every field, and more, naming the sender: refused on
    the coordinators field; the program, its coordinators and the sender's roles unchanged."""
    user = request.getfixturevalue(who)
    client = signed_in_client(user)
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = {**form_data(client.get(url), "program_form"), **hostile_extras(user)}
    data["coordinators"] = [*data.get("coordinators", []), str(user.pk)]
    data["name"] = ["Renamed while naming myself"]
    before = (model_to_dict(Program.objects.get(pk=program.pk)), role_state(user, program))
    coordinators = program_selectors.coordinators_of(program=program)
    entries = LogEntry.objects.count()

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "name yourself a coordinator" in " ".join(errors.get("coordinators", [])), errors
    assert (model_to_dict(Program.objects.get(pk=program.pk)), role_state(user, program)) == before
    assert program_selectors.coordinators_of(program=program) == coordinators
    assert not program_selectors.is_coordinator(user=user, program=program)
    assert LogEntry.objects.count() == entries


@pytest.mark.parametrize("who", WHO)
def test_f13_nobody_names_themselves_coordinator_of_a_new_program(
    who, request, coordinator, signed_in_client
):
    user = request.getfixturevalue(who)
    client = signed_in_client(user)
    url = reverse("admin:programs_program_add")
    data = form_data(client.get(url), "program_form")
    data.update(
        name=["Shadow 2027"],
        slug=["shadow-2027"],
        kind=[Program.Kind.ONE_TO_ONE],
        description=["A program of my own."],
        applications_open_on=["2027-01-01"],
        applications_close_on=["2027-02-01"],
        starts_on=["2027-03-01"],
        ends_on=["2027-12-01"],
        coordinators=[str(coordinator.pk), str(user.pk)],
    )
    before = role_state(user, None)

    response = client.post(url, {**data, **hostile_extras(user), "_save": "Save"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "name yourself a coordinator" in " ".join(errors.get("coordinators", [])), errors
    assert not Program.objects.filter(slug="shadow-2027").exists()
    assert role_state(user, None) == before


def test_f13_the_program_form_names_others_through_the_service_by_the_sender(
    program, hr_admin, other_coordinator, signed_in_client, monkeypatch
):
    """Naming someone else goes through programs.services with `by` the sender (F11 checks
    and records the grant there)."""
    calls = []
    real = program_services.program_save_from_admin

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(program_services, "program_save_from_admin", spy)
    client = signed_in_client(hr_admin)
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = form_data(client.get(url), "program_form")
    data["coordinators"] = [*data["coordinators"], str(other_coordinator.pk)]

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert [c["by"] for c in calls] == [hr_admin]
    assert program_selectors.is_coordinator(user=other_coordinator, program=program)


def test_f13_a_refusal_of_the_service_shows_on_the_program_form_and_changes_nothing(
    program, hr_admin, other_coordinator, signed_in_client, monkeypatch
):
    """A conflict of interest (F11) refused by the service is the form again with the
    refusal, never a 500; what the service recorded about the attempt is kept; no history."""

    def refuse(*, by, **kwargs):
        AccessEvent.objects.create(
            actor=by,
            actor_label="insider",
            action=AccessEvent.Action.RECUSAL,
            object_type="program role",
            outcome=AccessEvent.Outcome.REFUSED,
        )
        raise ValidationError("Oscar Lindqvist cannot take this role.", code="conflict")

    monkeypatch.setattr(program_services, "program_save_from_admin", refuse)
    client = signed_in_client(hr_admin)
    client.raise_request_exception = False
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = form_data(client.get(url), "program_form")
    data["coordinators"] = [*data["coordinators"], str(other_coordinator.pk)]
    data["name"] = ["Renamed"]
    entries = LogEntry.objects.count()

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    assert "cannot take this role" in response.content.decode()
    assert Program.objects.get(pk=program.pk).name == program.name
    assert LogEntry.objects.count() == entries
    assert AccessEvent.objects.filter(object_type="program role", actor=hr_admin).exists()


@pytest.mark.parametrize("role", [PROGRAM_COORDINATORS, HR_ADMINS, TALENT_TEAM])
def test_f13_the_user_form_gives_no_role_to_oneself_or_anyone(
    role, superuser, hr_admin, outsider, signed_in_client
):
    """A superuser re-posts the user form with every field, adding a role group, global role
    permissions and superuser status, to their own account and to someone else's: stripped."""
    client = signed_in_client(superuser)
    group = Group.objects.get(name=role)
    grants = Permission.objects.filter(
        codename__in=["add_program", "coordinate_program", "review_applications", "view_note"]
    )
    for target in (superuser, outsider):
        url = reverse("admin:people_user_change", args=[target.pk])
        data = form_data(client.get(url), "user_form")
        data["groups"] = [str(group.pk)]
        data["user_permissions"] = [str(p.pk) for p in grants]
        data["is_superuser"] = ["on"]
        before = role_state(target, None)

        response = client.post(url, {**data, "_save": "Save"})

        assert response.status_code in (200, 302, 403), target
        after = role_state(target, None)
        assert after == before, target
        assert not target.has_perm("programs.add_program") or target.is_superuser

    # An HR admin may not change accounts at all, their own included.
    url = reverse("admin:people_user_change", args=[hr_admin.pk])
    before = role_state(hr_admin, None)
    response = signed_in_client(hr_admin).post(
        url, {"username": hr_admin.username, "groups": [group.pk], "is_superuser": "on"}
    )
    assert response.status_code == 403
    assert role_state(hr_admin, None) == before


@pytest.mark.parametrize("who", WHO)
def test_f13_role_groups_are_read_only_in_the_admin(who, request, signed_in_client):
    """Adding "add program" to a group one belongs to would be a grant to oneself."""
    client = signed_in_client(request.getfixturevalue(who))
    group = Group.objects.get(name=HR_ADMINS)
    perms = sorted(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="add_program")
    coordinate = Permission.objects.get(codename="coordinate_program")
    change = reverse("admin:auth_group_change", args=[group.pk])

    assert (
        client.post(
            change, {"name": HR_ADMINS, "permissions": [*perms, extra.pk, coordinate.pk]}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:auth_group_add"), {"name": "Shadow", "permissions": [coordinate.pk]}
        ).status_code
        == 403
    )
    assert sorted(group.permissions.values_list("pk", flat=True)) == perms
    assert not Group.objects.filter(name="Shadow").exists()


@pytest.mark.parametrize("who", WHO)
def test_f13_no_admin_form_makes_anyone_a_session_leader_or_committee_member(
    who, request, program, signed_in_client
):
    """Group sessions are read only in the admin; the program form has no committee."""
    user = request.getfixturevalue(who)
    client = signed_in_client(user)
    assert (
        client.post(
            reverse("admin:programs_groupsession_add"),
            {"program": program.pk, "leader": user.pk, "title": "Mine", "capacity": 5},
        ).status_code
        == 403
    )
    assert "review_applications" not in get_user_perms(user, program)


@pytest.mark.parametrize("who", WHO)
def test_f13_guardian_object_permission_pages_do_not_exist(who, request, program, signed_in_client):
    """GuardedModelAdmin's "object permissions" pages would let an admin grant
    coordinate_program on a program to anyone, themselves included: none is mounted."""
    user = request.getfixturevalue(who)
    client = signed_in_client(user)
    for name in ("permissions", "permissions_manage_user", "permissions_manage_group"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:programs_program_{name}", args=[program.pk])
    base = reverse("admin:programs_program_change", args=[program.pk]).removesuffix("change/")
    for path in ("permissions/", f"permissions/user-manage/{user.pk}/"):
        url = base + path
        try:
            view = resolve(url).func
        except Resolver404:
            view = None
        assert "guardian" not in getattr(view, "__module__", ""), url
        response = client.post(url, {"user": user.username, "permissions": ["coordinate_program"]})
        assert response.status_code in (302, 403, 404), url
    assert list(get_user_perms(user, program)) == []
