"""The § 18 stk. 3 safety gate: the service later capabilities call before involving the network.

Usage::

    from kreds.cases.safety import require_network_involvement_allowed
    require_network_involvement_allowed(case, actor=user, action_label=_("send invitations"))

It raises :class:`SafetyGateOpen` (with a Danish explanation, and an audit event) while the gate is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.cases.constants import RiskOutcome
from kreds.core.exceptions import SafetyGateOpen

if TYPE_CHECKING:
    from kreds.accounts.models import User
    from kreds.cases.models import Case, RiskAssessment


@dataclass(frozen=True)
class GateState:
    is_open: bool
    reason: str
    assessment: RiskAssessment | None


def safety_gate(case: Case, *, just_read: bool = False) -> GateState:
    """Whether network-involving actions are blocked on ``case``, and why.

    The flag is read fresh: a stale in-memory case must never let an action through the gate. ``just_read``: the
    caller read ``case`` from the database in this request, for showing a page (never for an action).
    """
    from kreds.cases.models import Case

    concern = (
        case.safety_concern
        if just_read
        else bool(Case.objects.filter(pk=case.pk).values_list("safety_concern", flat=True).first())
    )
    if not concern:
        return GateState(False, "", None)
    latest = case.risk_assessments.order_by("-assessed_on", "-id").first()
    if latest is None:
        return GateState(
            True,
            _(
                "Honour-related conflict or negative social control may be involved (Barnets Lov § 18, stk. 3). "
                "A risk assessment must be recorded before parents and network are involved."
            ),
            None,
        )
    if latest.outcome == RiskOutcome.DO_NOT_PROCEED:
        return GateState(
            True,
            _("The latest risk assessment (%(date)s) concludes that parents and network must not be involved now.")
            % {"date": latest.assessed_on.strftime("%d.%m.%Y")},
            latest,
        )
    return GateState(False, "", latest)


def require_network_involvement_allowed(case: Case, *, actor: User, action_label: str) -> None:
    state = safety_gate(case)
    if state.is_open:
        record(
            Action.SAFETY_GATE_BLOCK,
            actor=actor,
            municipality=case.municipality,
            object_type="case",
            object_id=str(case.public_id),
            person_concerned=str(case.child.public_id),
            details={"attempted": action_label},
        )
        raise SafetyGateOpen(_("You cannot %(action)s: %(reason)s") % {"action": action_label, "reason": state.reason})
