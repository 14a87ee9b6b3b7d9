"""Text that people type, and text on its way out (SECURITY 30, issue 13 §5).

In: every text field of every form (``core.forms.KredsFormMixin``) refuses control characters with a Danish
message; line breaks only where the field has several lines. A pasted tab or a stray escape character is the
usual cause, so the message says how to fix it.

Out: whatever is already stored (an import, an older version, a direct edit) must not break a renderer. Each
renderer passes its text through one function here: :func:`one_line` (e-mail headers, file names, labels),
:func:`printable` (PDF text), :func:`xml_text` (SVG), :func:`spreadsheet_cell` (CSV and XLSX cells, which would
otherwise run a formula), :func:`safe_filename` (download and ZIP entry names).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls (NUL is left to Django's own validator, so it is not reported twice), DEL, C1 controls, and the
# Unicode line and paragraph separators. Tab, line feed and carriage return are allowed in multi-line fields.
_CONTROL = "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE_BREAKS = "\n\r\u2028\u2029"
MULTI_LINE_FORBIDDEN = re.compile(f"[{_CONTROL}\u2028\u2029]")
ONE_LINE_FORBIDDEN = re.compile(f"[{_CONTROL}\t{_LINE_BREAKS}]")
# What a renderer drops: every control character (NUL included) and code points XML 1.0 forbids.
_UNRENDERABLE = re.compile(f"[\x00{_CONTROL}\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r"\r\n|[\n\r\t\u2028\u2029\x85\x0b\x0c]")


def validate_multi_line(value: Any) -> None:
    if isinstance(value, str) and MULTI_LINE_FORBIDDEN.search(value):
        raise ValidationError(
            _(
                "The text contains an invisible control character (often from copying from another program). "
                "Delete it and try again."
            ),
            code="control_character",
        )


def validate_one_line(value: Any) -> None:
    if not isinstance(value, str):
        return
    if any(c in value for c in "\n\r\u2028\u2029"):
        raise ValidationError(_("Write this on one line (without line breaks)."), code="line_break")
    if ONE_LINE_FORBIDDEN.search(value):
        raise ValidationError(
            _(
                "The text contains an invisible control character, such as a tab (often from copying from another "
                "program). Delete it and try again."
            ),
            code="control_character",
        )


def printable(value: Any, *, multiline: bool = True) -> str:
    """``value`` as text any renderer takes: control characters gone, line breaks kept only when ``multiline``
    (as ``\\n``), tabs as spaces."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
        text = text.replace("\t", " ").replace("\x0b", "\n").replace("\x0c", "\n").replace("\x85", "\n")
    else:
        text = _BREAKS.sub(" ", text)
    return _UNRENDERABLE.sub("", text)


def one_line(value: Any, *, limit: int | None = None) -> str:
    """For an e-mail header, a label or a file name: one line, no control characters, collapsed spaces."""
    text = " ".join(printable(value, multiline=False).split())
    return text[:limit] if limit else text


def xml_text(value: Any) -> str:
    """Text that is well-formed inside XML (SVG), before the template escapes ``<`` and ``&``."""
    return printable(value, multiline=False)


# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV or XLSX cell: text is never taken for a formula, numbers stay numbers."""
    if not isinstance(value, str):
        return value
    text = printable(value, multiline=True)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def safe_filename(stem: Any, *, default: str = "fil", limit: int = 60, lower: bool = False) -> str:
    """A file-name stem safe in a Content-Disposition header and as a ZIP entry: ASCII letters and digits, ``.``,
    ``-`` and ``_`` (Danish letters spelt out, everything else a dash; never ``..`` or a leading dot)."""
    text = one_line(stem)
    for letter, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        text = text.replace(letter, spelt)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if lower:
        text = text.lower()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    text = re.sub(r"\.{2,}", ".", text).strip("-._")
    return text[:limit].strip("-._") or default


def clean_structure(value: Any) -> Any:
    """Every string in a JSON-like structure through :func:`printable` (data handed to the PDF renderer)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: clean_structure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_structure(v) for v in value]
    return value


_LIX_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_LIX_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)|\n+")


def lix(text: str) -> float:
    """The readability index LIX (Björnsson): words per sentence plus the share of long words (over 6 letters)
    in per cent. Easy text for children is under 25, ordinary prose 35–45. A sentence ends at ``. ! ? : ;`` or a
    line break (a heading or a list item counts as a sentence); numbers are not words."""
    words = _LIX_WORD.findall(text)
    if not words:
        return 0.0
    sentences = sum(1 for part in _LIX_SENTENCE_END.split(text) if _LIX_WORD.search(part))
    long_words = sum(1 for w in words if len(w.replace("-", "").replace("'", "").replace("’", "")) > 6)
    return len(words) / max(sentences, 1) + 100 * long_words / len(words)


# Composing sentences from what people typed (issue 14 §3). A field is typed as if it stood alone, and phones
# capitalise the first letter of every field, so "At Tom er alene hjemme" lands in the middle of "Skolen er bekymret
# for …". Only words that are never a name are put in lower case: names ("Tom"), abbreviations ("SSP") and
# everything after the first word stay as typed.
_NEVER_NAME_WORDS = (
    # Danish: conjunctions, pronouns, articles and the family words a worry or a task usually starts with.
    "at om hvis når fordi da der det den de dem denne dette disse man vi en et ingen nogen noget alle "
    "han hun hen ham hende hans hendes hens deres sin sit sine hjemme manglende for til med uden "
    "barnet børnene drengen pigen mor far moren faren mors fars forældrene forældre familien skolen hjemmet "
    # English
    "that if when because whether the a an he she they him her them his hers their its it we no some all "
    "child children boy girl mother father mum mom dad parents family school home"
)
_NEVER_NAMES = frozenset(_NEVER_NAME_WORDS.split())
_FIRST_WORD = re.compile(r"^\s*([^\W\d_]+)")
_LEAD_PUNCTUATION = " \t\n:;,.-–—"


def mid_sentence(value: Any) -> str:
    """``value`` as it reads in the middle of a sentence: trimmed, without leading punctuation, and a first word
    typed with a capital that is never a name ("At", "Hvis", "Mor") in lower case."""
    text = str(value or "").strip().lstrip(_LEAD_PUNCTUATION)
    match = _FIRST_WORD.match(text)
    if match:
        word = match.group(1)
        if word[:1].isupper() and word[1:] == word[1:].lower() and word.lower() in _NEVER_NAMES:
            return word[0].lower() + text[1:]
    return text


def sentence_start(value: Any) -> str:
    """``value`` as it reads at the start of a sentence or list item: trimmed, without trailing punctuation that a
    composed sentence adds itself (``Skolen:``), and with a capital first letter."""
    text = str(value or "").strip().rstrip(_LEAD_PUNCTUATION.replace(".", ""))
    return text[:1].upper() + text[1:]
