"""The fictional demo staff (used by seed_demo and shown on the login page in demo mode only)."""

from kreds.accounts.constants import Role

DEMO_PASSWORD = "kreds-demo-2026"  # noqa: S105 - fictional demo accounts only

STAFF = [
    # username, first, last, [(unit, role)]
    ("raadgiver", "Rikke", "Rådgiver", [("MyndighedsCenter", Role.CASEWORKER)]),
    ("raadgiver2", "Omar", "Hansen", [("MyndighedsCenter", Role.CASEWORKER)]),
    ("ungeraadgiver", "Sofie", "Ungeberg", [("UngeCenter", Role.CASEWORKER)]),
    ("familiecenter", "Peter", "Pædagog", [("FamilieCenter", Role.PRACTITIONER)]),
    ("moedeleder", "Mette", "Mødeleder", [("FamilieCenter", Role.FACILITATOR)]),
    ("samordner", "Said", "Samordner", [("FamilieCenter", Role.FACILITATOR)]),
    ("leder", "Lars", "Leder", [("MyndighedsCenter", Role.LEADER)]),
    ("admin", "Anne", "Administrator", [("MyndighedsCenter", Role.ADMINISTRATOR)]),
]
