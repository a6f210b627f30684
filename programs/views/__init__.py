"""Thin views: parse the form, call one service or selector, render.

Split by subject into the modules below; everything is re-exported here, so callers
import `programs.views` as before.
"""

from programs.views.applications import (
    application_consent,
    application_edit,
    application_withdraw,
    apply,
    my_applications,
)
from programs.views.commitment import (
    acceptance_detail,
    commitment,
    commitment_publish,
    my_commitments,
)
from programs.views.committee import (
    application_decide,
    application_vote,
    committee_application,
    committee_queue,
)
from programs.views.people import people_committee, people_leader
from programs.views.programs import (
    committee_add,
    committee_remove,
    program_create,
    program_detail,
    program_edit,
    program_list,
    program_manage,
    program_transition,
)
from programs.views.resources import resource_create, resource_download, resource_list
from programs.views.sessions import (
    my_sessions,
    session_attendance,
    session_call_off,
    session_cancel,
    session_create,
    session_detail,
    session_edit,
    session_ics,
    session_register,
)
from programs.views.tags import tag_delete, tag_list

__all__ = [
    "acceptance_detail",
    "application_consent",
    "application_decide",
    "application_edit",
    "application_vote",
    "application_withdraw",
    "apply",
    "commitment",
    "commitment_publish",
    "committee_add",
    "committee_application",
    "committee_queue",
    "committee_remove",
    "my_applications",
    "my_commitments",
    "my_sessions",
    "people_committee",
    "people_leader",
    "program_create",
    "program_detail",
    "program_edit",
    "program_list",
    "program_manage",
    "program_transition",
    "resource_create",
    "resource_download",
    "resource_list",
    "session_attendance",
    "session_call_off",
    "session_cancel",
    "session_create",
    "session_detail",
    "session_edit",
    "session_ics",
    "session_register",
    "tag_delete",
    "tag_list",
]
