"""What a person sets for themselves: which optional messages they get, their calendar feed's
secret address, which notifications they have read.

The rest of the directory's writes live in their own modules: the HRIS import in
`people.hris` (the file's checks and application) and `people.hris_jobs` (an upload's
background job), who an account is in `people.accounts` (F12), the due-message table in
`notifications.messaging`. Their names are re-exported below so that callers of
`people.services` keep working; new code imports them from where they live.
"""

from __future__ import annotations

from people.accounts import ADDRESS_TOKEN_MAX_AGE as ADDRESS_TOKEN_MAX_AGE
from people.accounts import ADDRESS_TOKEN_SALT as ADDRESS_TOKEN_SALT
from people.accounts import APPROVE_REACTIVATION as APPROVE_REACTIVATION
from people.accounts import ASK_REACTIVATION as ASK_REACTIVATION
from people.accounts import LABEL_ACTIVE as LABEL_ACTIVE
from people.accounts import LABEL_ADDRESS as LABEL_ADDRESS
from people.accounts import LABEL_ADDRESS_CONFIRMED as LABEL_ADDRESS_CONFIRMED
from people.accounts import LABEL_ADDRESS_WITHDRAWN as LABEL_ADDRESS_WITHDRAWN
from people.accounts import LABEL_CREATED as LABEL_CREATED
from people.accounts import LABEL_GROUPS as LABEL_GROUPS
from people.accounts import LABEL_PASSWORD as LABEL_PASSWORD
from people.accounts import LABEL_PASSWORD_LINK as LABEL_PASSWORD_LINK
from people.accounts import LABEL_PERMISSIONS as LABEL_PERMISSIONS
from people.accounts import LABEL_REACTIVATION_ASKED as LABEL_REACTIVATION_ASKED
from people.accounts import LABEL_STAFF as LABEL_STAFF
from people.accounts import LABEL_SUPERUSER as LABEL_SUPERUSER
from people.accounts import LABELS as LABELS
from people.accounts import AccountUpdate as AccountUpdate
from people.accounts import account_access_set as account_access_set
from people.accounts import account_address_change_cancel as account_address_change_cancel
from people.accounts import account_address_change_confirm as account_address_change_confirm
from people.accounts import account_address_change_request as account_address_change_request
from people.accounts import account_create as account_create
from people.accounts import account_deactivate as account_deactivate
from people.accounts import account_flags_set as account_flags_set
from people.accounts import account_password_link_send as account_password_link_send
from people.accounts import account_password_reset_ask as account_password_reset_ask
from people.accounts import account_password_set as account_password_set
from people.accounts import account_reactivation_approve as account_reactivation_approve
from people.accounts import account_reactivation_ask as account_reactivation_ask
from people.accounts import account_update as account_update
from people.accounts import address_change_for_token as address_change_for_token
from people.accounts import address_change_pending as address_change_pending
from people.accounts import address_change_token as address_change_token
from people.accounts import address_taken as address_taken
from people.accounts import password_reset_lookup as password_reset_lookup
from people.accounts import password_resets_lookup_overdue as password_resets_lookup_overdue
from people.accounts import user_add_to_role as user_add_to_role
from people.hris import MAX_LEVEL as MAX_LEVEL
from people.hris import OPTIONAL_COLUMNS as OPTIONAL_COLUMNS
from people.hris import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from people.hris import ImportResult as ImportResult
from people.hris import RowError as RowError
from people.hris import employee_import_csv as employee_import_csv
from people.hris import employee_rows_to_csv as employee_rows_to_csv
from people.hris_jobs import PROGRESS_EVERY as PROGRESS_EVERY
from people.hris_jobs import employee_import_run as employee_import_run
from people.hris_jobs import employee_import_start as employee_import_start
