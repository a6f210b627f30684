"""The agreement terms that ship with the app, as the default template."""

DEFAULT_AGREEMENT_TERMS = """\
What we discuss stays between us. Neither of us repeats what the other says in our meetings, \
and neither of us writes about the other outside our notes here.

My mentor never reports on me. My mentor does not take part in any talent review, promotion \
panel or assessment of me, now or after our pairing ends, and never tells anyone who judges my \
career what we discuss.

Our notes are ours. A private note is read only by its author; a note we share is read only by \
the two of us. No manager, reviewer, coordinator, committee member or administrator can read \
them.

Only what this agreement allows is shared. For my manager, senior leadership, the program \
coordinator and the committee, the rules below say whether they learn nothing, only that our \
meetings take place, or themes I agree to pass on, one by one.

Either of us can end the pairing at any time, without giving a reason and without fault.
"""
