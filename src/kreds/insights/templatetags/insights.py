"""Showing a figure's value the Danish way: "45 %", "12 af 40", "3,8", "123.000 kr."."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kreds.insights.figures import Result
from kreds.insights.shown import present, rounded

register = template.Library()


def number(value: Any, decimals: int = 0) -> str:
    """A shown number the Danish way (decimal comma, thousands grouped), "–" for none, "<5" as it is. ``value`` is
    rounded by ``shown.rounded`` (half up) before it is formatted; ``number_format`` alone cuts decimals off."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value  # SUPPRESSED
    value = rounded(value, decimals)
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _decimals(value: Any) -> int:
    return max(0, -int(value.as_tuple().exponent)) if isinstance(value, Decimal) else 0


@register.filter
def figure_value(result: Result) -> str:
    cells = present(result)
    kind = result.spec.kind
    if cells.value is None:
        return "–"
    if cells.hidden:
        return str(cells.value)
    if kind == "share":
        return f"{number(cells.value)} %"
    if kind == "money":
        return _("%(amount)s kr.") % {"amount": number(cells.value)}
    return number(cells.value, _decimals(cells.value))


@register.filter
def figure_detail(result: Result) -> str:
    """The numbers behind a value, in words."""
    cells = present(result)
    kind = result.spec.kind
    if kind == "share":
        return _("%(numerator)s of %(denominator)s") % {
            "numerator": number(cells.numerator),
            "denominator": number(cells.denominator),
        }
    if kind in ("median", "mean", "means"):
        if cells.second is not None:
            return _("at referral %(value)s; %(n)s conferences") % {
                "value": number(cells.second, 1),
                "n": number(cells.n),
            }
        return _("from %(n)s") % {"n": number(cells.n)}
    if result.key == "clocks_overdue" and result.denominator:
        return _("of %(n)s open cases") % {"n": number(result.denominator)}
    return ""


@register.filter
def part_value(part: Any, kind: str) -> str:
    """A part of a figure as shown (``part`` is a ``shown.ShownPart``, or a ``figures.Part`` shown unsuppressed)."""
    value = part.value
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == "means":
        return number(value, 1)
    if kind == "money":
        return _("%(amount)s kr.") % {"amount": number(value)}
    return number(value)


@register.filter
def shown_parts(result: Result) -> list[Any]:
    """The figure's parts as shown (rounded, small numbers suppressed where the figure is)."""
    return present(result).parts


@register.filter
def change_value(row: Any) -> str:
    """The change from the previous period, from the values as shown (rounded by the same rule)."""
    change = row.change
    if change is None:
        return ""
    kind = row.spec.kind
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    magnitude = abs(change)
    if kind == "share":
        return _("%(sign)s%(value)s percentage points") % {"sign": sign, "value": number(magnitude)}
    if kind in ("mean", "means"):
        return f"{sign}{number(magnitude, 1)}"
    if kind == "money":
        return _("%(amount)s kr.") % {"amount": f"{sign}{number(magnitude)}"}
    return f"{sign}{number(magnitude)}"


@register.filter
def share_percent(fraction: Any) -> str:
    """A share given as a fraction (0.125) in whole per cent by the figures' rounding rule ("13 %"), for pages
    outside the leader's (the family group conferences' figures); "–" for none."""
    if fraction is None:
        return "–"
    return f"{number(rounded(fraction * 100, 0))} %"
