"""What programs tells the apps built on it, sent by the service that causes it (pretix's
style: explicit signals, never model signals). Receivers run in the sender's transaction and
their exceptions propagate, so a refusal upstream rolls the whole act back."""

from django.dispatch import Signal

# An admitted participant accepted the program's current commitment.
# kwargs: employee (people.Employee), program (programs.Program).
commitment_accepted = Signal()
