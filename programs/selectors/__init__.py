"""Reads for programs. Every selector that serves a page takes the user; objects a user may
not see are simply absent (the views turn that into a 404).

Split by subject into the modules below; everything is re-exported here, so callers
import `programs.selectors` as before.
"""

from programs.selectors.applications import (
    Tally,
    application_get_for_applicant,
    application_get_for_committee,
    application_list_for_applicant,
    committee_queue_for,
    eligible_committee_size,
    is_recused,
    my_live_application,
    vote_of,
    vote_tally,
    votes_for,
)
from programs.selectors.commitment import (
    acceptance_get_for,
    acceptances_for,
    commitment_current,
    commitment_is_accepted,
)
from programs.selectors.eligibility import apply_refusal, is_admitted
from programs.selectors.permissions import (
    COORDINATE,
    PUBLIC_STATUSES,
    REVIEW,
    committee_of,
    committee_programs,
    coordinated_programs,
    coordinators_of,
    creates_programs,
    is_any_coordinator,
    is_committee_member,
    is_coordinator,
    role_holders,
)
from programs.selectors.programs import (
    program_for_edit,
    program_get_for,
    program_get_for_coordinator,
    program_list_for,
    tag_get,
    tag_list,
)
from programs.selectors.resources import (
    RoleHolder,
    resource_get_for,
    resource_list_for,
    resources_of_program,
    resources_of_program_for,
    role_holders_for,
)
from programs.selectors.roles import (
    participant_counts,
    program_applications,
    program_participants,
    status_counts,
)
from programs.selectors.sessions import (
    my_registration,
    registrations_for,
    registrations_of,
    session_get_for,
    session_list_for_program,
    session_list_for_program_qs,
    sessions_led_by,
    sessions_open_to,
)

__all__ = [
    "COORDINATE",
    "PUBLIC_STATUSES",
    "REVIEW",
    "RoleHolder",
    "Tally",
    "acceptance_get_for",
    "acceptances_for",
    "application_get_for_applicant",
    "application_get_for_committee",
    "application_list_for_applicant",
    "apply_refusal",
    "commitment_current",
    "commitment_is_accepted",
    "committee_of",
    "committee_programs",
    "committee_queue_for",
    "coordinated_programs",
    "coordinators_of",
    "creates_programs",
    "eligible_committee_size",
    "is_admitted",
    "is_any_coordinator",
    "is_committee_member",
    "is_coordinator",
    "is_recused",
    "my_live_application",
    "my_registration",
    "participant_counts",
    "program_applications",
    "program_for_edit",
    "program_get_for",
    "program_get_for_coordinator",
    "program_list_for",
    "program_participants",
    "registrations_for",
    "registrations_of",
    "resource_get_for",
    "resource_list_for",
    "resources_of_program",
    "resources_of_program_for",
    "role_holders",
    "role_holders_for",
    "session_get_for",
    "session_list_for_program",
    "session_list_for_program_qs",
    "sessions_led_by",
    "sessions_open_to",
    "status_counts",
    "tag_get",
    "tag_list",
    "vote_of",
    "vote_tally",
    "votes_for",
]
