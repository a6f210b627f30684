"""F11 on a database made before the rule: the conflict register learns the mentoring-side
relations that already exist (coordinators and committee members of a program towards its
applicants, session leaders towards their registrants), so that nobody who read an
application before the upgrade can sit on, run or read a review of its applicant after it."""

from django.db import migrations

ROLES = {"coordinate_program": "coordinating", "review_applications": "committee"}


def backfill(apps, schema_editor):
    ConflictKey = apps.get_model("confidentiality", "ConflictKey")
    ConflictEntry = apps.get_model("confidentiality", "ConflictEntry")
    Employee = apps.get_model("people", "Employee")
    Application = apps.get_model("programs", "Application")
    GroupSession = apps.get_model("programs", "GroupSession")
    Registration = apps.get_model("programs", "Registration")
    UserPerm = apps.get_model("programs", "ProgramUserObjectPermission")
    GroupPerm = apps.get_model("programs", "ProgramGroupObjectPermission")
    User = apps.get_model("auth", "User")

    person_of = dict(Employee.objects.values_list("user_id", "pk"))
    relations: set[tuple[int, int, str, int]] = set()  # (person, subject, kind, reference)

    applicants: dict[int, set[int]] = {}
    for program_id, applicant_id in Application.objects.values_list("program_id", "applicant_id"):
        applicants.setdefault(program_id, set()).add(applicant_id)

    holders: set[tuple[int, int, str]] = set()  # (user, program, codename)
    for user_id, program_id, codename in UserPerm.objects.filter(
        permission__codename__in=list(ROLES)
    ).values_list("user_id", "content_object_id", "permission__codename"):
        holders.add((user_id, program_id, codename))
    for group_id, program_id, codename in GroupPerm.objects.filter(
        permission__codename__in=list(ROLES)
    ).values_list("group_id", "content_object_id", "permission__codename"):
        for user_id in User.objects.filter(groups=group_id).values_list("pk", flat=True):
            holders.add((user_id, program_id, codename))
    for user_id, program_id, codename in holders:
        person = person_of.get(user_id)
        if person is None:
            continue
        for subject in applicants.get(program_id, ()):
            if subject != person:
                relations.add((person, subject, ROLES[codename], program_id))

    leaders = dict(GroupSession.objects.values_list("pk", "leader_id"))
    for session_id, participant_id in Registration.objects.values_list(
        "session_id", "participant_id"
    ):
        leader = leaders.get(session_id)
        if leader is not None and leader != participant_id:
            relations.add((leader, participant_id, "leading", session_id))

    if not relations:
        return
    ConflictKey.objects.bulk_create(
        [ConflictKey(person_id=p, subject_id=s) for p, s in {(p, s) for p, s, _, _ in relations}],
        ignore_conflicts=True,
        batch_size=500,
    )
    keys = {(k.person_id, k.subject_id): k.pk for k in ConflictKey.objects.all()}
    existing = set(
        ConflictEntry.objects.filter(kind__in=["coordinating", "committee", "leading"]).values_list(
            "key_id", "kind", "reference"
        )
    )
    ConflictEntry.objects.bulk_create(
        [
            ConflictEntry(key_id=keys[(p, s)], kind=kind, reference=ref)
            for p, s, kind, ref in sorted(relations)
            if (keys[(p, s)], kind, ref) not in existing
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("confidentiality", "0005_insiders_roles_and_identity"),
        ("programs", "0002_program_agreement_template"),
        ("people", "0004_employee_import"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
