"""Showing a figure's value the Danish way: "45 %", "12 af 40", "3,8", "123.000 kr."."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kreds.insights.figures import Result

register = template.Library()


def number(value: Any, decimals: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal | float) and decimals == 0:
        value = round(value)
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def figure_value(result: Result) -> str:
    kind = result.spec.kind
    if kind == "share":
        return "–" if result.percent is None else f"{number(result.percent)} %"
    if kind in ("mean", "means"):
        return number(result.value, 1)
    if kind == "median":
        return number(result.value, 0 if result.value is None or float(result.value).is_integer() else 1)
    if kind == "money":
        return _("%(amount)s kr.") % {"amount": number(result.value)}
    return number(result.value)


@register.filter
def figure_detail(result: Result) -> str:
    """The numbers behind a value, in words."""
    kind = result.spec.kind
    if kind == "share":
        return _("%(numerator)s of %(denominator)s") % {
            "numerator": number(result.numerator),
            "denominator": number(result.denominator),
        }
    if kind in ("median", "mean", "means"):
        if result.second is not None:
            return _("at referral %(value)s; %(n)s conferences") % {"value": number(result.second, 1), "n": result.n}
        return _("from %(n)s") % {"n": number(result.n)}
    if result.key == "clocks_overdue" and result.denominator:
        return _("of %(n)s open cases") % {"n": number(result.denominator)}
    return ""


@register.filter
def part_value(part: Any, kind: str) -> str:
    if part.value is None:
        return "–"
    if kind == "means":
        return number(part.value, 1)
    if kind == "money":
        return _("%(amount)s kr.") % {"amount": number(part.value)}
    return number(part.value)


@register.filter
def change_value(row: Any) -> str:
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
