"""Company-wide roles, as Django groups with model permissions.

Per-object roles (coordinator, committee member, mentor, mentoree, panel member) are
guardian object permissions granted by the services of later apps; these groups only
carry what a whole role may do. HR admins get the admin (staff) but are never superusers,
and no model permission here ever lets anyone read a note (F1).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

HR_ADMINS = "HR admins"
TALENT_TEAM = "Talent team"
PROGRAM_COORDINATORS = "Program coordinators"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    HR_ADMINS: [
        "people.view_employee",
        "people.add_employee",
        "people.change_employee",
        "people.view_user",
        # Re-enabling an account takes two HR admins: one asks, another approves (F12).
        "people.view_reactivationrequest",
        "people.add_reactivationrequest",
        "people.approve_reactivationrequest",
        "axes.view_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "programs.view_program",
        "programs.add_program",
        "programs.change_program",
        "programs.view_commitment",
        "programs.view_application",
        "programs.view_tag",
        "programs.add_tag",
        "programs.change_tag",
        "programs.view_groupsession",
        "programs.view_resource",
        "programs.add_resource",
        "programs.change_resource",
        "programs.delete_resource",
        "confidentiality.view_agreementtemplate",
        "confidentiality.add_agreementtemplate",
        "confidentiality.change_agreementtemplate",
        "firewall.view_accessevent",
        "firewall.view_conflictentry",
        "firewall.add_conflictentry",
        "reviews.view_talentreview",
    ],
    TALENT_TEAM: ["reviews.view_talentreview", "reviews.add_talentreview"],
    # May create programs in the browser (and then coordinates them); per-program rights
    # come from the coordinate_program object permission.
    PROGRAM_COORDINATORS: ["programs.add_program"],
}


@transaction.atomic
def roles_sync() -> None:
    """Create the role groups and set exactly the permissions declared above."""
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted: list[Permission] = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender, **kwargs) -> None:
    """Run once per migrate, after the last app's permissions exist."""
    from django.apps import apps

    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if sender.name == with_models[-1].name:
        roles_sync()
