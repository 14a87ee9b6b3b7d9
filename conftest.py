"""The one conftest: loads the shared fixtures (``world``, ``login``, ``smtp_server``, …) from ``kreds.testing``."""

pytest_plugins = ["kreds.testing.plugin"]
