"""Writes for programs: the program life cycle, per-program roles, the commitment,
applications and the committee, group sessions and resources.

Every refusal is a ValidationError whose message a coordinator understands; views show it
and nothing changes.

Split by subject into the modules below; everything is re-exported here, so callers
import `programs.services` as before.
"""

from programs.models import RESERVED_SLUGS
from programs.services.applications import (
    application_consent_set,
    application_submit,
    application_update,
    application_withdraw,
)
from programs.services.commitment import (
    commitment_accept,
    commitment_check,
    commitment_publish,
)
from programs.services.committee import application_decide, vote_cast
from programs.services.common import COORDINATE, REVIEW, require_coordinator
from programs.services.programs import (
    ROLE_LABELS,
    committee_member_add,
    committee_member_remove,
    coordinator_add,
    coordinator_remove,
    program_create,
    program_save_from_admin,
    program_transition,
    program_update,
)
from programs.services.resources import resource_count_download, resource_publish
from programs.services.sessions import (
    CALENDAR_FIELDS,
    COORDINATOR_FIELDS,
    LEADER_FIELDS,
    SESSION_FIELDS,
    session_cancel,
    session_cancel_registration,
    session_create,
    session_record_attendance,
    session_register,
    session_update,
)
from programs.services.tags import tag_create, tag_delete

__all__ = [
    "CALENDAR_FIELDS",
    "COORDINATE",
    "COORDINATOR_FIELDS",
    "LEADER_FIELDS",
    "RESERVED_SLUGS",
    "REVIEW",
    "ROLE_LABELS",
    "SESSION_FIELDS",
    "application_consent_set",
    "application_decide",
    "application_submit",
    "application_update",
    "application_withdraw",
    "commitment_accept",
    "commitment_check",
    "commitment_publish",
    "committee_member_add",
    "committee_member_remove",
    "coordinator_add",
    "coordinator_remove",
    "program_create",
    "program_save_from_admin",
    "program_transition",
    "program_update",
    "require_coordinator",
    "resource_count_download",
    "resource_publish",
    "session_cancel",
    "session_cancel_registration",
    "session_create",
    "session_record_attendance",
    "session_register",
    "session_update",
    "tag_create",
    "tag_delete",
    "vote_cast",
]
