"""Template filters for composing sentences from what people typed (see :mod:`kreds.core.text`).

``{{ who|sentence_start }} er bekymret for {{ about|mid_sentence }}``: a fragment in the middle of a sentence never
starts with a capital that is not a name, and a sentence never starts with a small letter.
"""

from __future__ import annotations

from typing import Any

from django import template

from kreds.core import text

register = template.Library()


@register.filter
def mid_sentence(value: Any) -> str:
    return text.mid_sentence(value)


@register.filter
def sentence_start(value: Any) -> str:
    return text.sentence_start(value)
