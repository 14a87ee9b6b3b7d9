"""The OIOSAML 3 attribute names Kreds reads, the NSIS levels of assurance and the reasons a sign-on is refused."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# OIOSAML 3.0 (the attribute profile of NemLog-in and KOMBIT's Context Handler): names are URIs, sent verbatim.
UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
FIRST_NAME = "https://data.gov.dk/model/core/eid/firstName"
LAST_NAME = "https://data.gov.dk/model/core/eid/lastName"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
EMAIL = "https://data.gov.dk/model/core/eid/email"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
# The namespace of the OIO Basic Privilege Profile's root element (the groups and privileges are unqualified).
BPP_NAMESPACE = "http://digst.dk/oiosaml/basic_privilege_profile"

# NSIS levels of assurance, lowest first. Kreds holds the most sensitive data a municipality has: below Substantial
# is refused (a local account's password plus TOTP is Kreds' own equivalent).
LEVELS = ("Low", "Substantial", "High")
MINIMUM_LEVEL = "Substantial"


class Protocol(models.TextChoices):
    SAML = "saml", _("SAML 2.0")
    OIDC = "oidc", _("OpenID Connect")


class Refusal(models.TextChoices):
    """Why a sign-on was refused: the audit event's reason and the key of the Danish page the person sees."""

    NOT_CONFIGURED = "not_configured", _("The municipality's login is not set up")
    MALFORMED = "malformed", _("The answer from the identity provider could not be read")
    UNSIGNED = "unsigned", _("The answer from the identity provider was not signed correctly")
    UNKNOWN_ISSUER = "unknown_issuer", _("The answer came from an identity provider Kreds does not know")
    WRONG_AUDIENCE = "wrong_audience", _("The answer was meant for another service")
    WRONG_DESTINATION = "wrong_destination", _("The answer was sent to another address")
    EXPIRED = "expired", _("The answer has expired")
    UNSOLICITED = "unsolicited", _("The answer does not belong to a login started here")
    REPLAY = "replay", _("The answer has already been used")
    MISSING_ATTRIBUTE = "missing_attribute", _("The answer lacks information Kreds needs")
    LOW_ASSURANCE = "low_assurance", _("The login's level of assurance is too low")
    NO_ROLE = "no_role", _("The person has no privilege that gives a role in Kreds")
    DEACTIVATED = "deactivated", _("The user is deactivated in Kreds")
    PROVIDER_ERROR = "provider_error", _("The identity provider reported an error")
