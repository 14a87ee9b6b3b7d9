from pathlib import Path

from kreds.authz.policies import ACTIONS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_policy_action_is_documented():
    text = (DOCS / "authorization.md").read_text(encoding="utf-8")
    missing = [action for action in ACTIONS if f"### `{action}`" not in text]
    assert not missing, f"Policy actions not described in docs/authorization.md: {missing}"
