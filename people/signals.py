"""Custom signals the `people` services send to the apps above them (STYLE: dependencies point
down; a lower app tells a higher one what happened through an explicit signal).

`identity_changed` is sent, inside the transaction that made the change, for every change to
who an account is or what it may do (F12): its sign-in address (asked for, confirmed,
cancelled), its password, its active flag, its staff or superuser flag, its groups and
permissions, its creation. It carries ids and a fixed label, never a value:

- `user_id`: the account changed;
- `actor_id`: who made the change (None: the HRIS import run from the command line);
- `detail`: one of the labels in `people.accounts.LABELS`;
- `notify`: whether the person should be told by a message of its own (False where the
  `people` service already sends a dedicated one, or the account can no longer receive one).

`firewall` receives it and appends an access event (`Action.IDENTITY`), so that HR
admins read identity changes in the same log as every other access.
"""

from django.dispatch import Signal

identity_changed = Signal()
