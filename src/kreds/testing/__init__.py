"""Shared test support: model factories, scenario builders, sample files, text helpers and the pytest plugin.

Only tests, ``bench/`` and the demo tooling import this package; runtime code never does (it pulls in factory_boy,
pytest and Faker, which production installs without). App tests import their own modules and ``kreds.testing``,
never another app's ``tests`` package. The root ``conftest.py`` loads :mod:`kreds.testing.plugin`.
"""
