"""Forms of the program pages: programs, applications, votes, sessions, resources, tags."""

import hashlib

from django import forms
from django.conf import settings
from django.core import signing
from django.urls import reverse

from people.forms import PersonField, person_field
from people.models import User
from programs.models import PROGRAM_FIELDS, Application, GroupSession, Program, Tag, Vote
from programs.selectors.picker import COMMITTEE_MEMBER, SESSION_LEADER


class DateInput(forms.DateInput):
    """Browsers take only ISO dates in a date field, whatever the site's language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = list(PROGRAM_FIELDS)
        widgets = {
            "applications_open_on": DateInput,
            "applications_close_on": DateInput,
            "starts_on": DateInput,
            "ends_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 5}),
            "audience": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"slug": "Short name for the web address, e.g. exec-2027."}


class TagChoiceField(forms.ModelMultipleChoiceField):
    """Topics by id; an id no database column can hold is an unknown topic, not a crash."""

    def _check_values(self, value):
        for pk in value or ():
            digits = str(pk).strip().lstrip("-")
            # ASCII digits only: "²" is a digit to str.isdigit, not to int().
            if digits.isascii() and digits.isdigit() and int(digits) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class ApplicationForm(forms.ModelForm):
    tags = TagChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics",
        help_text="Development goals (mentorees) or areas of expertise (mentors).",
    )

    class Meta:
        model = Application
        fields = [
            "motivation",
            "goals",
            "tags",
            "availability",
            "mentor_capacity",
            "share_with_mentor",
        ]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"availability": "For example: Tuesday mornings, twice a month."}

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motivation"].required = True
        if role != Application.Role.MENTOR:
            del self.fields["mentor_capacity"]
            self.fields["goals"].label = "What you want to develop"
            self.fields[
                "share_with_mentor"
            ].label = "Show what I want to develop and my topics to the mentor proposed to me"
            self.fields["share_with_mentor"].help_text = (
                "Off unless you tick it. Only the mentor the coordinator proposes to you sees "
                "them, before accepting the match; the committee reads your application either "
                "way. Your motivation is never shown."
            )
        else:
            del self.fields["share_with_mentor"]
            self.fields["goals"].label = "What you can offer"
            self.fields["mentor_capacity"].widget.attrs.update({"min": 1, "max": 10})


class VoteForm(forms.Form):
    choice = forms.ChoiceField(choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by the committee, never by the applicant.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Vote.Choice.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the decision; seen by the committee and coordinators.",
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), max_length=20000)


PREVIEW_SALT = "programs.commitment-preview"
PREVIEW_MAX_AGE = 12 * 3600


def _digest(text: str) -> str:
    """The same for the text as typed and as sent back from the preview (line ends vary)."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()


def commitment_preview_token(*, program_id: int, user_id: int, based_on: int, text: str) -> str:
    """Proof that this coordinator was shown the difference between exactly this text and
    version `based_on`: publishing needs it, so a version is published only from the
    preview. Signed with the site's key; it holds a hash of the text, not the text."""
    return signing.dumps([program_id, user_id, based_on, _digest(text)], salt=PREVIEW_SALT)


def commitment_preview_shown(
    *, token: str, program_id: int, user_id: int, based_on: int, text: str
) -> bool:
    """Whether `token` proves the preview of this text against version `based_on` was shown
    to this coordinator within the last twelve hours."""
    try:
        value = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return False
    return value == [program_id, user_id, based_on, _digest(text)]


class MemberForm(forms.Form):
    """A committee member, chosen with the people picker among those the coordinator may
    add (programs.selectors.picker)."""

    member = PersonField(purpose=COMMITTEE_MEMBER, label="Add a committee member")

    def __init__(self, *args, user: User, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        person_field(self, "member").bind(
            user=user,
            within=program,
            search_url=reverse("programs:people_committee", args=[program.slug]),
        )


_LEADER_HELP = (
    "Type a name, e-mail address, employee number or department. Usually an executive "
    f"(grade {settings.GROUP_ONLY_LEVEL} or above): they lead groups rather than mentoring "
    "one person."
)


def _leader_field() -> PersonField:
    return PersonField(purpose=SESSION_LEADER, label="Leader", help_text=_LEADER_HELP)


class SessionForm(forms.ModelForm):
    leader = _leader_field()

    class Meta:
        model = GroupSession
        fields = ["title", "description", "starts_at", "duration_minutes", "location", "capacity"]
        widgets = {
            "starts_at": DateTimeInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user: User, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        person_field(self, "leader").bind(
            user=user,
            within=program,
            search_url=reverse("programs:people_leader", args=[program.slug]),
        )


class SessionEditForm(forms.ModelForm):
    """The session's details as its leader or a coordinator changes them; the leader's form
    has no seats and no leader (`fields` narrows it). The coordinator's names the leader with
    the people picker; the leader sent back unchanged stays, even if no longer choosable."""

    leader = _leader_field()

    class Meta:
        model = GroupSession
        fields = ["title", "description", "starts_at", "duration_minutes", "location", "capacity"]
        widgets = SessionForm.Meta.widgets
        labels = {
            "duration_minutes": "Duration in minutes",
            "location": "Place or video link",
            "capacity": "Seats",
        }

    def __init__(self, *args, fields: tuple[str, ...], user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        if "leader" in self.fields:
            self.fields["leader"].required = False
            self.fields["leader"].help_text = (
                "Leave it as it is to keep the leader. " + _LEADER_HELP
            )
            person_field(self, "leader").bind(
                user=user,
                within=self.instance.program,
                search_url=reverse("programs:people_leader", args=[self.instance.program.slug]),
                current=self.instance.leader,
            )
            self.initial.setdefault("leader", self.instance.leader)

    def clean_leader(self):
        """An empty box keeps the leader the session has."""
        return self.cleaned_data["leader"] or self.instance.leader

    def clean_starts_at(self):
        """The field shows minutes: a time sent back unchanged is the session's own, to the
        second, so saving the place alone does not count as a new time."""
        value = self.cleaned_data["starts_at"]
        current = self.instance.starts_at
        if value and current and value == current.replace(second=0, microsecond=0):
            return current
        return value


class AttendanceForm(forms.Form):
    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"] = forms.MultipleChoiceField(
            choices=[(r.pk, r.participant.full_name) for r in registrations],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Who attended",
        )


class ResourceForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        help_text="PDF or office document (Word, Excel, PowerPoint, OpenDocument), up to "
        f"{settings.RESOURCE_MAX_BYTES // 1_048_576} MB."
    )


class TagForm(forms.Form):
    name = forms.CharField(max_length=60)
