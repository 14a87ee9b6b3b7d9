"""Forms for the Signs of Safety screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kreds.core.forms import DateInput, KredsForm, conditional
from kreds.core.text import sentence_start
from kreds.network.models import NetworkPerson
from kreds.safety.constants import SCALE_MAX, SCALE_MIN, SCALE_TEN, SCALE_ZERO, RuleStatus, ScorerKind


def _text(label: Any, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class MappingForm(KredsForm):
    worry_basis = _text(_("Worry basis"), 3, _("Why the authority is worried: the facts the case rests on."))
    past_harm = _text(_("Past harm"), 3, _("What has happened to the child."))
    complicating = _text(_("Complicating factors"), 3, _("What makes the situation harder, without being harm."))
    strengths = _text(_("Strengths"), 3, _("What is good in the child's life and in the family."))
    existing_safety = _text(_("Existing safety"), 3, _("What already keeps the child safe, and who does it."))
    next_steps = _text(_("Next steps"), 3, _("What happens next, and who does it."))
    sparring = forms.BooleanField(label=_("Made in professional sparring"), required=False)
    change_note = forms.CharField(
        label=_("What changed in this version?"), max_length=300, required=False, help_text=_("A short note.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


# Who, what and the consequence are required for every worry statement written; an empty row is left out.
STATEMENT_REQUIRED = _("Required for every worry statement you write.")


class StatementForm(KredsForm):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    who_worried = conditional(
        forms.CharField(label=_("Who is worried"), max_length=200, required=False), STATEMENT_REQUIRED
    )
    about_what = conditional(
        _text(
            _("About what"),
            2,
            _("It follows “… is worried about”, for example: that Emma is alone at home in the evenings."),
        ),
        STATEMENT_REQUIRED,
    )
    if_nothing_changes = conditional(_text(_("What may happen if nothing changes"), 2), STATEMENT_REQUIRED)
    goal_parent = _text(_("Safety goal: what the parents will do differently"), 2)
    goal_child = _text(_("Safety goal: what the child will experience"), 2)
    goal_professionals = _text(_("Safety goal: what the professionals will see"), 2)


StatementFormSet = forms.formset_factory(StatementForm, extra=1, max_num=12, absolute_max=12)

SCORES = [(n, str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]


class ScalingForm(KredsForm):
    statement = forms.ChoiceField(label=_("Worry statement"))
    scored_on = forms.DateField(label=_("Date"), widget=DateInput)
    scorer_kind = forms.ChoiceField(label=_("Who answered"), choices=ScorerKind.choices)
    person = forms.ModelChoiceField(
        label=_("Network person (if from the map)"),
        queryset=NetworkPerson.objects.none(),
        required=False,
        empty_label=_("Not from the map"),
    )
    scorer_name = conditional(
        forms.CharField(label=_("Name"), max_length=200, required=False),
        _("Required if no person from the map is chosen."),
    )
    score = forms.TypedChoiceField(
        label=_("On a scale from 0 to 10"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "kreds-scale"}),
        help_text=format_lazy("{} · {}", SCALE_ZERO, SCALE_TEN),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, statements: list[Any], persons: list[tuple[Any, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("scored_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["statement"].choices = [  # type: ignore[attr-defined]
            (str(s.key), f"{s.number}. {sentence_start(s.about_what)[:80]}") for s in statements
        ]
        field = self.fields["person"]
        field.queryset = NetworkPerson.objects.filter(pk__in=[p.pk for p, _n in persons])  # type: ignore[attr-defined]
        names = {p.pk: name for p, name in persons}
        field.label_from_instance = lambda p: names.get(p.pk, "")  # type: ignore[attr-defined]


class AgreementForm(KredsForm):
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DateInput)
    meeting = forms.ChoiceField(label=_("Agreed at"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, meetings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            ("", _("By the caseworker with the family")),
            *[(str(m.public_id), f"{m.get_kind_display()} {m.starts_at:%d.%m.%Y}") for m in meetings],
        ]


class RuleForm(KredsForm):
    rule = forms.CharField(label=_("Rule or arrangement"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.ModelChoiceField(
        label=_("Who is responsible"), queryset=NetworkPerson.objects.none(), empty_label=_("Choose from the map")
    )
    due_on = forms.DateField(
        label=_("By when"), widget=DateInput, required=False, help_text=_("Leave empty for a standing rule.")
    )

    def __init__(self, *args: Any, persons: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        field.queryset = NetworkPerson.objects.filter(pk__in=[p.pk for p, _n in persons])  # type: ignore[attr-defined]
        names = {p.pk: name for p, name in persons}
        field.label_from_instance = lambda p: names.get(p.pk, "")  # type: ignore[attr-defined]


class RuleStatusForm(KredsForm):
    status = forms.ChoiceField(label=_("Status"), choices=RuleStatus.choices)
