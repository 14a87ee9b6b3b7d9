"""Forms for the family group conference screens (DKFDS rendering through KredsForm)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.conferences.constants import (
    WELLBEING_MAX,
    WELLBEING_MIN,
    ContactKind,
    CostCategory,
    Outcome,
    SupportStatus,
)
from kreds.conferences.services import REFERRAL_FIELDS
from kreds.core.forms import DateInput, KredsForm
from kreds.meetings.constants import ChildParticipation
from kreds.meetings.forms import StaffChoiceField, TimeInput, default_meeting_day
from kreds.meetings.models import Participant
from kreds.network.models import NetworkPerson, Sector

WELLBEING_CHOICES = [
    ("", _("Not scored")),
    *[(str(n), str(n)) for n in range(WELLBEING_MIN, WELLBEING_MAX + 1)],
]


def _score(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=WELLBEING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 = very bad, 5 = very good"),
    )


class ReferralForm(KredsForm):
    conditional_help = {
        "initiator_name": _("Required if someone else takes the initiative."),
        "young_person_consent_on": _("Required if the child is 15 or older."),
    }
    initiator_is_me = forms.TypedChoiceField(
        label=_("Who takes the initiative?"),
        choices=[("yes", _("I do")), ("no", _("Someone else (for example a teacher or a pedagogue)"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    initiator_name = forms.CharField(label=_("The initiator's name"), max_length=200, required=False)
    initiator_role = forms.CharField(
        label=_("The initiator's role and workplace"),
        max_length=200,
        required=False,
        help_text=_("For example: class teacher, Skovvangskolen."),
    )
    initiator_external = forms.BooleanField(
        label=_("The initiator works outside the municipality's social services"), required=False
    )
    questions = forms.CharField(
        label=_("The question(s) the family's plan must answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Formulated with the family. They are sent with the invitations, so write them plainly."),
    )
    bottom_lines = forms.CharField(
        label=_("The authority's bottom lines"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What must be in place for the child's safety. Not negotiable. One per line."),
    )
    support_offered = forms.CharField(
        label=_("Support the municipality can offer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("So the family knows what it can build on. A plan is only approved with support that exists."),
    )
    parents_consent_by = forms.CharField(
        label=_("Consent given by (parents with custody)"), max_length=200, help_text=_("Name or names.")
    )
    parents_consent_on = forms.DateField(label=_("Parents' consent given on"), widget=DateInput)
    young_person_consent_on = forms.DateField(
        label=_("The young person's own consent given on"),
        widget=DateInput,
        required=False,
    )
    wellbeing_child = _score(_("The child's well-being now, as the child scores it"))
    wellbeing_family = _score(_("The child's well-being now, as the family scores it"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("initiator_is_me"):
            data["initiator_name"] = self.user.get_full_name() or self.user.username
            data["initiator_external"] = False
        elif not (data.get("initiator_name") or "").strip():
            self.add_error("initiator_name", _("Write the initiator's name."))
        return data

    @staticmethod
    def initial_from(conference: Any) -> dict[str, Any]:
        fields = (*REFERRAL_FIELDS, "version")
        initial = {f: getattr(conference, f) for f in fields}
        initial["initiator_is_me"] = (
            "yes" if conference.initiator_name == conference.referred_by.get_full_name() else "no"
        )
        for w in conference.wellbeing.filter(session__isnull=True):
            initial[f"wellbeing_{w.scored_by}"] = str(w.score)
        return initial


class AllocateForm(KredsForm):
    coordinator = StaffChoiceField(
        label=_("Coordinator"),
        queryset=User.objects.none(),
        empty_label=_("Choose"),
        error_messages={
            "invalid_choice": _(
                "Choose the coordinator from the list: only staff with the coordinator role can be allocated."
            )
        },
    )

    def __init__(self, *args: Any, municipality_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(municipality_id=municipality_id, is_active=True, memberships__role=Role.FACILITATOR)
            .distinct()
            .order_by("first_name", "last_name")
        )


class PremeetingForm(KredsForm):
    premeeting_on = forms.DateField(label=_("Pre-meeting held on"), widget=DateInput, required=False)
    premeeting_with = forms.CharField(
        label=_("Who took part in the pre-meeting"),
        max_length=200,
        required=False,
        help_text=_("For example: the child and the mother."),
    )
    premeeting_notes = forms.CharField(
        label=_("Who is invited, and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Decided with the child and the parents. The network is not defined by blood or address."),
    )
    child_participation_notes = forms.CharField(
        label=_("How the child takes part"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    support_person = forms.ModelChoiceField(
        label=_("The child's support person"),
        queryset=NetworkPerson.objects.none(),
        required=False,
        empty_label=_("None chosen yet"),
        help_text=_("An adult the child trusts, chosen by the child, from the network map."),
    )
    interpreter_language = forms.CharField(
        label=_("Interpreter at the conference (language)"),
        max_length=100,
        required=False,
        help_text=_("Leave empty if no interpreter is needed."),
    )
    venue_neutral = forms.BooleanField(label=_("The venue is not municipal premises"), required=False)
    food = forms.CharField(label=_("Food"), max_length=200, required=False)
    childcare = forms.CharField(label=_("Childcare"), max_length=200, required=False)
    transport = forms.CharField(label=_("Transport"), max_length=200, required=False)
    practical_notes = forms.CharField(
        label=_("Other practical arrangements"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, persons: list[tuple[NetworkPerson, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["support_person"]
        field.queryset = NetworkPerson.objects.filter(pk__in=[p.pk for p, _name in persons])  # type: ignore[attr-defined]
        names = {p.pk: name for p, name in persons}
        field.label_from_instance = lambda p: names.get(p.pk, "")  # type: ignore[attr-defined]


class ScheduleForm(KredsForm):
    # Proposed on a working day two weeks ahead, at 16.00 when parents and children are free (the coordinator
    # agrees the day with the family; a weekend is allowed, with a warning).
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=default_meeting_day)
    start = forms.TimeField(label=_("Starts"), widget=TimeInput, initial=datetime.time(16, 0))
    end = forms.TimeField(
        label=_("Ends (expected)"),
        widget=TimeInput,
        initial=datetime.time(20, 0),
        help_text=_("A conference with private family time often takes three to four hours."),
    )
    place = forms.CharField(
        label=_("Venue"),
        max_length=200,
        help_text=_("Usually not municipal premises: a community hall, a school, the family's own choice."),
    )
    child_participation = forms.ChoiceField(
        label=_("The child takes part"), choices=ChildParticipation.choices, initial=ChildParticipation.PART
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The conference must end after it starts."))
        return data


class NewPersonForm(KredsForm):
    conditional_help = {"address": _("Required if there is no e-mail: the invitation then goes by letter.")}
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.CharField(
        label=_("Relation to the child"), max_length=100, help_text=_("In plain words: moster, neighbour, coach …")
    )
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.none(), empty_label=_("Choose"))
    ring = forms.TypedChoiceField(
        label=_("Closeness"),
        choices=[(1, _("1 – closest")), (2, "2"), (3, _("3 – furthest out"))],
        coerce=int,
        initial=2,
    )
    is_parent = forms.BooleanField(label=_("Is a parent of the child"), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Postal address"), max_length=200, required=False)

    def __init__(self, *args: Any, municipality_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(  # type: ignore[attr-defined]
            municipality_id=municipality_id, active=True
        ).order_by("order")


class PreparationForm(KredsForm):
    conditional_help = {"language": _("Required if the person needs an interpreter.")}
    will_come = forms.ChoiceField(
        label=_("Will the person come?"),
        choices=[("", _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
        widget=forms.RadioSelect,
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    language = forms.CharField(label=_("Language"), max_length=100, required=False)
    worries = forms.CharField(
        label=_("Worries the person raised"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    prepared = forms.BooleanField(label=_("Prepared: knows what a conference is and what will happen"), required=False)


class ContactForm(KredsForm):
    on = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=ContactKind.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InformationForm(KredsForm):
    participant: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Who gave the information"), queryset=Participant.objects.none(), empty_label=_("Choose")
    )
    worries = forms.CharField(label=_("Worries"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    questions = forms.CharField(label=_("The questions"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    bottom_lines = forms.CharField(label=_("Bottom lines"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    support = forms.CharField(
        label=_("Support the municipality can offer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants  # type: ignore[attr-defined]
        self.fields["participant"].label_from_instance = lambda p: f"{p.name} ({p.relation or p.get_role_display()})"  # type: ignore[attr-defined]


class PlanItemForm(KredsForm):
    responsible: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Who"), queryset=Participant.objects.none(), empty_label=_("Choose who")
    )
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("By when"), widget=DateInput)
    support_requested = forms.CharField(
        label=_("Support asked from the municipality"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Leave empty if the item needs no support from the municipality."),
    )

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = participants  # type: ignore[attr-defined]
        self.fields["responsible"].label_from_instance = lambda p: p.name  # type: ignore[attr-defined]


class ReviewForm(KredsForm):
    conditional_help = {"comment": _("Required if the item was not fully realised.")}
    outcome = forms.ChoiceField(label=_("Realised?"), choices=Outcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WellbeingForm(KredsForm):
    child = _score(_("The child's own score"))
    family = _score(_("The family's score"))


class CompleteForm(KredsForm):
    conditional_help = {"no_plan_reason": _("Required if no plan was made.")}
    follow_up_on = forms.DateField(
        label=_("Date of the follow-up conference"),
        widget=DateInput,
        help_text=_("Proposed from the municipality's default (3–6 months). Agree it with the family."),
    )
    no_plan_reason = forms.CharField(
        label=_("If no plan was made: why?"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SupportForm(KredsForm):
    conditional_help = {"note": _("Required whichever you choose.")}
    status = forms.ChoiceField(
        label=_("Is the support available?"),
        choices=[(SupportStatus.AVAILABLE, _("Yes, it is available")), (SupportStatus.NOT_AVAILABLE, _("No"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What the municipality provides, or why it is not available"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class DecisionForm(KredsForm):
    conditional_help = {"reason": _("Required if you reject the item.")}
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approved", _("Approve")), ("rejected", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("For example which bottom line the item conflicts with."),
    )


class CostForm(KredsForm):
    category = forms.ChoiceField(label=_("What for"), choices=CostCategory.choices)
    quantity = forms.DecimalField(
        label=_("Hours, kilometres or amount"),
        min_value=0.01,
        max_digits=10,
        decimal_places=2,
        help_text=_("Coordinator hours in hours, mileage in km (priced at the municipality's rates), others in DKK."),
        localize=True,
    )
    rate = forms.DecimalField(
        label=_("Rate (optional)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Only for hours and kilometres, if another rate than the municipality's applies."),
        localize=True,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReasonForm(KredsForm):
    reason = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}))


class MoveFollowUpForm(KredsForm):
    """A new time or place for the follow-up conference (invited participants are told by the meeting service)."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    start = forms.TimeField(label=_("Starts"), widget=TimeInput)
    end = forms.TimeField(label=_("Ends (expected)"), widget=TimeInput)
    place = forms.CharField(label=_("Venue"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The conference must end after it starts."))
        return data

    @staticmethod
    def initial_from(meeting: Any) -> dict[str, Any]:
        start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "date": start.date(),
            "start": start.time(),
            "end": end.time(),
            "place": meeting.place,
            "version": meeting.version,
        }


class CancelFollowUpForm(KredsForm):
    reason = forms.CharField(
        label=_("Why is the follow-up conference cancelled?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept on the conference; not sent to the participants."),
    )
    message = forms.CharField(
        label=_("Message to the participants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Sent with the cancellation to everyone who was invited. Optional."),
    )


class SettingsForm(KredsForm):
    fgc_follow_up_months = forms.TypedChoiceField(
        label=_("Months from a conference to its follow-up"),
        choices=[(n, str(n)) for n in range(3, 7)],
        coerce=int,
        help_text=_("The follow-up conference is proposed this many months after the conference (3–6)."),
    )
    fgc_hourly_rate = forms.DecimalField(
        label=_("Coordinator's hourly rate (DKK)"), min_value=0, max_digits=8, decimal_places=2, localize=True
    )
    fgc_mileage_rate = forms.DecimalField(
        label=_("Mileage rate (DKK per km)"), min_value=0, max_digits=6, decimal_places=2, localize=True
    )
