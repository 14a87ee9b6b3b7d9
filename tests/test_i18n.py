"""The Danish catalogue is complete, fully translated and actually used.

Danish is the default language of Kreds, so an English string that slips through is a
visible bug for the caseworkers. These tests catch it before review:

* every translatable string in the code is in ``locale/da/LC_MESSAGES/django.po``
  (``makemessages`` runs in a temporary copy of the project, so the committed file is
  never touched);
* every entry in the committed catalogue is translated and none is fuzzy;
* the compiled ``.mo`` file is up to date and Django uses it.

To fix a failure::

    .venv/bin/python manage.py makemessages -l da --ignore=.venv --ignore=node_modules \
        --ignore=var --ignore=bench --no-obsolete
    # translate the new or fuzzy entries in locale/da/LC_MESSAGES/django.po, then
    make messages
"""

from __future__ import annotations

import ast
import gettext as pygettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Same exclusions as the documented makemessages command, plus caches.
IGNORED = (".venv", "node_modules", "var", "bench")
NOT_COPIED = (*IGNORED, ".git", ".mypy_cache", ".ruff_cache", "__pycache__", "*.mo", "*.pyc")

FIX_HINT = (
    "Run `.venv/bin/python manage.py makemessages -l da --ignore=.venv --ignore=node_modules "
    "--ignore=var --ignore=bench --no-obsolete`, translate the entries in "
    "locale/da/LC_MESSAGES/django.po, then `make messages`."
)


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def text(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{ctx}{self.msgid!r}"

    def label(self) -> str:
        return f"line {self.line}: {self.text()}"


def parse_po(path: Path) -> list[Entry]:
    """A small PO parser: enough for Django's catalogues (contexts, plurals, flags).

    Obsolete entries (``#~``) are skipped; the header entry (empty msgid) is left out.
    """
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    def append(kind: str, index: int | None, text: str) -> None:
        if kind == "msgid":
            current.msgid += text
        elif kind == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + text
        elif kind == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + text
        else:
            assert index is not None
            current.msgstr[index] = current.msgstr.get(index, "") + text

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            # A comment after msgstr starts a new entry even without a blank line.
            if started and target is not None and target[0] == "msgstr":
                finish()
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation line without a keyword"
            append(target[0], target[1], ast.literal_eval(line))
            continue
        keyword, _, value = line.partition(" ")
        index: int | None = None
        if keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            keyword = "msgstr"
        elif keyword == "msgstr":
            index = 0
        if keyword not in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
        if keyword in {"msgctxt", "msgid"} and target is not None and target[0] == "msgstr":
            finish()  # a new entry that was not separated by a blank line
        if not started:
            current.line = number
        started = True
        target = (keyword, index)
        if keyword == "msgstr":
            current.msgstr.setdefault(index, "")
        append(keyword, index, ast.literal_eval(value))
    finish()
    return [entry for entry in entries if entry.msgid != "" or entry.msgctxt is not None]


def test_every_string_in_the_code_is_in_the_danish_catalogue(tmp_path):
    copy = tmp_path / "kreds"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    env = {
        **os.environ,
        "KREDS_ENV": "test",
        "KREDS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("PYTHONPATH", None)
    (tmp_path / "var").mkdir()
    command = [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-obsolete", "-v0"]
    command += [f"--ignore={pattern}" for pattern in IGNORED]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    committed = {entry.key for entry in parse_po(PO_FILE)}
    extracted = parse_po(copy / "locale" / "da" / "LC_MESSAGES" / "django.po")
    missing = [entry.text() for entry in extracted if entry.key not in committed]
    assert not missing, (
        f"{len(missing)} translatable string(s) in the code are missing from {PO_FILE}:\n  "
        + "\n  ".join(missing)
        + f"\n{FIX_HINT}"
    )


def test_danish_catalogue_is_fully_translated():
    entries = parse_po(PO_FILE)
    assert entries, f"No entries found in {PO_FILE}"
    fuzzy = [entry.label() for entry in entries if "fuzzy" in entry.flags]
    untranslated = []
    for entry in entries:
        expected_forms = 2 if entry.msgid_plural is not None else 1
        forms = [entry.msgstr.get(i, "") for i in range(expected_forms)]
        if not all(form.strip() for form in forms):
            untranslated.append(entry.label())
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated:\n  " + "\n  ".join(untranslated))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (check the translation, then remove the flag):\n  " + "\n  ".join(fuzzy))
    assert not problems, "\n".join(problems) + f"\n{FIX_HINT}"


def test_danish_header_has_plural_forms():
    text = PO_FILE.read_text(encoding="utf-8")
    assert '"Language: da\\n"' in text
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text


def test_compiled_catalogue_is_up_to_date():
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run `make messages`."
    with MO_FILE.open("rb") as handle:
        compiled = pygettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(PO_FILE):
        if "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is None:
            got = [
                compiled.gettext(entry.msgid)
                if entry.msgctxt is None
                else compiled.pgettext(entry.msgctxt, entry.msgid)
            ]
        else:
            # Danish has two forms: n == 1 and n != 1.
            got = [
                compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt is None
                else compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        if got != [entry.msgstr.get(index, "") for index in range(len(got))]:
            stale.append(entry.label())
    assert not stale, f"{MO_FILE} is out of date for {len(stale)} entries (run `make messages`):\n  " + "\n  ".join(
        stale
    )


def test_django_uses_the_danish_catalogue():
    with translation.override("da"):
        assert translation.gettext("Log out") == "Log af"
        assert translation.gettext("My cases") == "Mine sager"
        assert translation.ngettext("%(counter)s case", "%(counter)s cases", 1) == "%(counter)s sag"
        assert translation.ngettext("%(counter)s case", "%(counter)s cases", 3) == "%(counter)s sager"
    with translation.override("en"):
        assert translation.gettext("Log out") == "Log out"
