"""The demo data: Eksempel Kommune, its staff and fictional families in every state of every capability.

Loaded by ``manage.py seed_demo`` (:func:`kreds.demo.seed.seed`) and by the suite's probe; never imported by the
running application (views, services, tasks, selectors), so none of it ships in a request path. Every builder works
through the real services, as the staff would on the screens, then moves the timestamps back so the history reads
like months of work. The Danish prose lives in ``texts/*.toml``.
"""
