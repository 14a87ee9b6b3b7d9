"""The framework floor for ``bench/run.py`` (issue 16): a bare Django page on the same stack as Kreds."""
