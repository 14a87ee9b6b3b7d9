from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.core.forms import DateInput, KredsForm
from kreds.core.workdays import next_working_day
from kreds.meetings.constants import AgreementStatus, ChildParticipation, Delivery, ParticipantRole
from kreds.meetings.models import Participant
from kreds.meetings.staffing import case_staff

# A new meeting is proposed two weeks ahead (time to prepare and invite), on a working day, 9.00 to 11.00.
DEFAULT_WEEKS_AHEAD = 2


def default_meeting_day(today: datetime.date | None = None) -> datetime.date:
    """The date a new meeting form proposes: two weeks ahead, moved to the next working day (never a weekend or
    a day the municipality is closed)."""

    return next_working_day((today or timezone.localdate()) + datetime.timedelta(weeks=DEFAULT_WEEKS_AHEAD))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class MeetingForm(KredsForm):
    conditional_help = {"facilitator": _("Required before the invitations are sent.")}
    purpose = forms.CharField(
        label=_("Purpose of the meeting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written so that every participant knows it before the meeting. It is sent with the invitation."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=default_meeting_day)
    start = forms.TimeField(label=_("Starts"), widget=TimeInput, initial=datetime.time(9, 0))
    end = forms.TimeField(
        label=_("Ends"), widget=TimeInput, initial=datetime.time(11, 0), help_text=_("At most 2 hours, with a break.")
    )
    break_planned = forms.BooleanField(label=_("A break is planned"), required=False, initial=True)
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("A neutral venue where possible, easy to reach for the family.")
    )
    facilitator = StaffChoiceField(
        label=_("Neutral facilitator"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leads the meeting, keeps time and the speaking order. Must not be involved in the case."),
        error_messages={
            "invalid_choice": _(
                "Choose the facilitator from the list: only staff with the facilitator role can lead the meeting."
            )
        },
    )
    minute_taker = StaffChoiceField(
        label=_("Minute taker"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Someone who may work on the case: its caseworkers, the unit it is referred to, its leader or a "
            "facilitator."
        ),
        error_messages={
            "invalid_choice": _(
                "Choose the minute taker from the list: only staff who may work on the case (its caseworkers, the "
                "unit it is referred to, its leader or a facilitator) can take the minutes."
            )
        },
    )
    inviter = forms.CharField(
        label=_("Inviter"),
        max_length=200,
        required=False,
        help_text=_("Whoever had the idea for the meeting. Often the caseworker, but anyone can invite."),
    )
    prep_held_on = forms.DateField(label=_("Preparation conversation held on"), widget=DateInput, required=False)
    prep_with = forms.CharField(
        label=_("Who took part in the preparation conversation"),
        max_length=200,
        required=False,
        help_text=_("For example: the child, mother and father."),
    )
    prep_who = forms.CharField(
        label=_("Who is invited, and why"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    prep_information = forms.CharField(
        label=_("What information is shared at the meeting"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    child_participation = forms.ChoiceField(
        label=_("How does the child take part?"),
        choices=ChildParticipation.choices,
        initial=ChildParticipation.PART,
        widget=forms.RadioSelect,
    )
    prep_child = forms.CharField(
        label=_("The child's participation: what was agreed with the child"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Consider the child's age and maturity and the purpose of the meeting."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(municipality_id=case.municipality_id, is_active=True)
        self.fields["facilitator"].queryset = (  # type: ignore[attr-defined]
            staff.filter(memberships__role=Role.FACILITATOR).distinct().order_by("first_name", "last_name")
        )
        self.fields["minute_taker"].queryset = case_staff(case)  # type: ignore[attr-defined]
        self.fields["facilitator"].empty_label = _("Choose later")  # type: ignore[attr-defined]
        self.fields["minute_taker"].empty_label = _("Choose later")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The meeting must end after it starts."))
        return data

    @staticmethod
    def initial_from(meeting: Any) -> dict[str, Any]:
        start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        fields = (
            "purpose",
            "place",
            "break_planned",
            "facilitator",
            "minute_taker",
            "inviter",
            "prep_held_on",
            "prep_with",
            "prep_who",
            "prep_information",
            "child_participation",
            "prep_child",
            "version",
        )
        initial = {f: getattr(meeting, f) for f in fields}
        initial.update({"date": start.date(), "start": start.time(), "end": end.time()})
        return initial


class ParticipantForm(KredsForm):
    conditional_help = {
        "email": _("Required if the invitation goes by e-mail."),
        "address": _("Required if the invitation goes by letter."),
    }
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (r.value, r.label) for r in ParticipantRole if r not in (ParticipantRole.CHILD, ParticipantRole.CASEWORKER)
        ],
    )
    delivery = forms.ChoiceField(label=_("Invitation by"), choices=Delivery.choices, widget=forms.RadioSelect)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Postal address"),
        max_length=200,
        required=False,
        help_text=_("Street, postcode and town, separated by commas."),
    )


class NotesForm(KredsForm):
    notes_descriptive = forms.CharField(
        label=_("1. Descriptive part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The situation now, and the changes that are wished for."),
    )
    notes_reflective = forms.CharField(
        label=_("2. Reflective part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How can what is wished for be reached?"),
    )
    notes_agreements = forms.CharField(
        label=_("3. Agreements part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Points to remember besides the agreements below."),
    )
    authority_declared = forms.BooleanField(
        label=_("The caseworker has declared their role as the authority"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AgreementForm(KredsForm):
    responsible: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Who"), queryset=Participant.objects.none(), empty_label=_("Choose who")
    )
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("By when"), widget=DateInput)

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = participants  # type: ignore[attr-defined]
        self.fields["responsible"].label_from_instance = lambda p: p.name  # type: ignore[attr-defined]


class AgreementStatusForm(KredsForm):
    status = forms.ChoiceField(label=_("Status"), choices=AgreementStatus.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class CompleteForm(KredsForm):
    follow_up_on = forms.DateField(
        label=_("Date of the follow-up meeting"),
        widget=DateInput,
        help_text=_("Agreed at the meeting. The follow-up meeting is planned on this date with the same participants."),
    )


class CancelForm(KredsForm):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        help_text=_("For the case. The participants do not see this."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.CharField(
        label=_("Message to the participants"),
        help_text=_("Goes with the cancellation, by e-mail and letter. Never write anything some may not know."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RsvpForm(KredsForm):
    answer = forms.ChoiceField(
        label=_("Are you coming?"),
        choices=[("yes", _("Yes, I am coming")), ("no", _("No, I cannot come"))],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the meeting leader"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


AGREE = [
    (5, _("Completely agree")),
    (4, _("Agree")),
    (3, _("Neither")),
    (2, _("Disagree")),
    (1, _("Completely disagree")),
]
SATISFACTION = [(5, _("5 – very satisfied")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 – not satisfied"))]
SMILEYS = [
    (5, format_lazy("😊 {}", _("Good"))),
    (3, format_lazy("😐 {}", _("So-so"))),
    (1, format_lazy("☹️ {}", _("Not good"))),
]


def _scale(label: Any, choices: list[tuple[int, Any]]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, widget=forms.RadioSelect)


class EvaluationForm(KredsForm):
    heard = _scale(_("I felt heard at the meeting"), AGREE)
    knew_purpose = _scale(_("I knew the purpose of the meeting beforehand"), AGREE)
    realistic = _scale(_("The plan we made is realistic"), AGREE)
    own_part_clear = _scale(_("I know what my own part is"), AGREE)
    satisfaction = _scale(_("Overall, how satisfied are you with the meeting?"), SATISFACTION)
    comment = forms.CharField(
        label=_("Is there anything else you want to say?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChildEvaluationForm(KredsForm):
    heard = _scale(_("Did the grown-ups listen to you?"), SMILEYS)
    knew_purpose = _scale(_("Did you know what the meeting was about before it started?"), SMILEYS)
    realistic = _scale(_("Do you think the plan will work?"), SMILEYS)
    own_part_clear = _scale(_("Do you know what happens now?"), SMILEYS)
    satisfaction = _scale(_("How was the meeting for you?"), SMILEYS)
    comment = forms.CharField(
        label=_("Do you want to tell us something more?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


PLAN_MADE = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("I don't know"))]
CHILD_PLAN_MADE = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("I don't know"))]
ORDER = ["heard", "knew_purpose", "realistic", "own_part_clear", "plan_made", "plan_satisfaction", "satisfaction"]


def _plan_made(label: Any, choices: list[tuple[str, Any]]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        widget=forms.RadioSelect,
    )


class ConferenceEvaluationForm(EvaluationForm):
    """After a family group conference, two more questions (the Esbjerg evaluation, DOMAIN §6)."""

    plan_made = _plan_made(_("Did the family and the network make a plan?"), PLAN_MADE)
    plan_satisfaction = _scale(_("I am satisfied with the plan"), AGREE)
    field_order = [*ORDER, "comment"]


class ChildConferenceEvaluationForm(ChildEvaluationForm):
    plan_made = _plan_made(_("Did your family make a plan?"), CHILD_PLAN_MADE)
    plan_satisfaction = _scale(_("Do you like the plan?"), SMILEYS)
    field_order = [*ORDER, "comment"]


class ChildMinutesForm(KredsForm):
    """What the child's link and letter give the child after the meeting (issue 14)."""

    version = forms.ChoiceField(
        label=_("What does the child receive?"),
        choices=[
            ("child", _("The child's version: short and plain, with the child's own agreements")),
            ("full", _("The full minutes")),
        ],
        widget=forms.RadioSelect,
    )
