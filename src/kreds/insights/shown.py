"""How a figure is shown: one rounding rule and one suppression rule for the screen and every export.

docs/kpi-definitions.md, "Rounding" and "Suppression of small numbers". The leader's page (template tags in
``templatetags/insights.py``), the CSV/XLSX downloads and ``manage.py export_stats`` (``exports.py``) and the weekly
digest all read a figure through :func:`present`, so the same figure can never read 4,7 on screen and 4,8 in a
file, nor a cell be hidden in one place and shown in another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kreds.insights.figures import SUPPRESS_BELOW, Result

SUPPRESSED = f"<{SUPPRESS_BELOW}"

# Decimals per kind of value: shares in whole per cent, means with one decimal, money in whole kroner. A median is
# shown with one decimal only when it is not a whole number (the median of whole numbers is n or n,5).
DECIMALS = {"share": 0, "mean": 1, "means": 1, "median": 1, "money": 0, "count": 0}

# Figures whose parts add up to the figure's value (a part hidden must not be recomputable from the total and the
# other parts). The other figures' parts are their own groups (a mean per question, deadlines per kind, and the
# safety-plan line, which is a subset of the meetings held).
ADDITIVE_PARTS = {"meetings_held": "kind:", "costs": "cost:"}


def rounded(value: Any, decimals: int) -> Decimal | None:
    """``value`` rounded half up (4,75 → 4,8; 12,5 % → 13 %) to ``decimals``: the one rounding of every figure.
    A float is read through its shortest decimal form, so 4.75 is 4.75 and not 4.7499999…"""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def value_of(result: Result) -> Decimal | None:
    """The figure's value as shown: a share in per cent, rounded by :func:`rounded`."""
    kind = result.spec.kind
    if kind == "share":
        return rounded(result.percent, DECIMALS["share"])
    if kind == "median":
        median = rounded(result.value, DECIMALS["median"])
        return median.quantize(Decimal(1)) if median is not None and median == median.to_integral_value() else median
    return rounded(result.value, DECIMALS.get(kind, 0))


def _small(n: int | None) -> bool:
    return n is not None and 0 < n < SUPPRESS_BELOW


@dataclass
class ShownPart:
    key: str
    label: str
    value: Decimal | str | None  # SUPPRESSED when hidden
    n: int | str


@dataclass
class Shown:
    """The cells of one figure as shown: numbers rounded, hidden cells as ``SUPPRESSED``."""

    value: Decimal | str | None
    numerator: int | str | None  # shares only
    denominator: int | str | None  # shares only
    n: int | str
    second: Decimal | str | None
    parts: list[ShownPart] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.value == SUPPRESSED


def present(result: Result, *, suppress: bool | None = None) -> Shown:
    """The figure as shown. ``suppress``: apply the small-number rule (exports always; on screen where the viewer
    may not open the cases behind the figure, ``Result.suppress``); by default as the result says."""
    if suppress is None:
        suppress = result.suppress
    kind = result.spec.kind
    value: Decimal | str | None = value_of(result)
    decimals = DECIMALS.get(kind, 0)
    second: Decimal | str | None = rounded(result.second, 1)
    numerator: int | str | None = result.numerator if kind == "share" else None
    denominator: int | str | None = result.denominator if kind == "share" else None
    n: int | str = result.n
    parts = [ShownPart(p.key, p.label, rounded(p.value, 1 if kind == "means" else 0), p.n) for p in result.parts]
    if decimals == 0 and kind != "median" and isinstance(value, Decimal):
        value = value.quantize(Decimal(1))
    if not suppress:
        return Shown(value, numerator, denominator, n, second, parts)

    hide_value = False
    if kind == "share":
        rest = result.denominator - result.numerator
        if _small(result.denominator):
            numerator = denominator = n = SUPPRESSED
            hide_value = True
        elif _small(result.numerator) or _small(rest):
            # The share splits the denominator in two: either part small hides the numerator and the per cent
            # (numerator = per cent × denominator); the denominator alone reveals neither part.
            numerator = SUPPRESSED
            hide_value = True
    elif kind in ("mean", "means", "median"):
        hide_value = _small(result.n)
    elif kind == "count":
        hide_value = _small(int(result.value or 0))
    else:  # money: the number of meetings and conferences behind it
        hide_value = _small(result.n)
    if _small(result.n):
        n = SUPPRESSED  # the number of cases, meetings or answers behind the figure
    if hide_value:
        value = SUPPRESSED if value is not None else None
        second = SUPPRESSED if second is not None else None

    hidden_parts = {p.key for p in result.parts if _small(p.n)}
    prefix = ADDITIVE_PARTS.get(result.spec.key)
    if prefix is not None and not hide_value:
        additive = [p for p in result.parts if p.key.startswith(prefix)]
        hidden_here = [p for p in additive if p.key in hidden_parts]
        if len(hidden_here) == 1:
            # Complementary suppression: one hidden part could be recomputed as the total minus the other parts, so
            # a second part is hidden too (the smallest that is not 0); without one, the total is hidden.
            others = sorted((p for p in additive if p.key not in hidden_parts and p.n > 0), key=lambda p: p.n)
            if others:
                hidden_parts.add(others[0].key)
            else:
                value = SUPPRESSED
    if hide_value and prefix is not None:
        hidden_parts |= {p.key for p in result.parts if p.key.startswith(prefix) and p.n > 0}
    for part in parts:
        if part.key in hidden_parts:
            part.value = SUPPRESSED if part.value is not None else None
            part.n = SUPPRESSED
    return Shown(value, numerator, denominator, n, second, parts)


def suppressed(result: Result) -> bool:
    """Whether the figure's value is hidden under the small-number rule (docs/kpi-definitions.md, "Suppression of
    small numbers")."""
    return present(result, suppress=True).hidden
