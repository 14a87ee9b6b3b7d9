"""A municipality's sign-on (SAML 2.0 and OpenID Connect), its role rules and the identities it has signed on.

See docs/sso.md and docs/adr/0015-municipal-sign-on.md.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.core.models import TimestampedModel
from kreds.sso.constants import Protocol
from kreds.tenancy.models import Municipality, Unit


class SignOn(TimestampedModel):
    """How one municipality's staff sign on. Written only by :mod:`kreds.sso.services` (audited)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="sign_on")
    # SAML 2.0: the identity provider's metadata (uploaded, or fetched from the URL) and the SP's own key pair.
    saml_enabled = models.BooleanField(_("SAML login in use"), default=False)
    idp_metadata_url = models.URLField(_("address of the identity provider's metadata"), blank=True, max_length=500)
    idp_metadata_xml = models.TextField(_("the identity provider's metadata"), blank=True)
    idp_entity_id = models.CharField(_("the identity provider's entity id"), max_length=500, blank=True)
    # The SP's private key, encrypted at rest (kreds.sso.keys); its certificate in PEM. Files in SSO_KEY_DIR win.
    sp_key_encrypted = models.TextField(blank=True)
    sp_certificate = models.TextField(_("the service's certificate"), blank=True)
    # OpenID Connect: the provider and the client; the secret comes only from the environment (kreds.sso.oidc).
    oidc_enabled = models.BooleanField(_("OpenID Connect login in use"), default=False)
    oidc_issuer = models.URLField(_("issuer"), blank=True, max_length=500)
    oidc_client_id = models.CharField(_("client id"), max_length=200, blank=True)
    oidc_roles_claim = models.CharField(_("claim holding the privileges"), max_length=100, default="roles")
    oidc_provider = models.JSONField(default=dict, blank=True)  # the provider's discovery document, as fetched
    # The demo's local test identity provider: never trusted in production (kreds.sso.services.check_allowed).
    is_test_provider = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("municipal sign-on")
        verbose_name_plural = _("municipal sign-ons")

    def __str__(self) -> str:
        return f"{self.municipality}"


class RoleRule(TimestampedModel):
    """A privilege from the identity provider (with an optional constraint value) gives a role in a unit.

    For SAML the privilege is an OIOSAML basic privilege profile privilege and the constraint one of its group's
    constraints (e.g. ``http://sts.kombit.dk/constraints/orgenhed/1`` = an organisational unit's UUID); for OpenID
    Connect it is a value of the roles claim, and constraints are not used.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="role_rules")
    privilege = models.CharField(_("privilege"), max_length=500)
    constraint_name = models.CharField(_("constraint"), max_length=300, blank=True)
    constraint_value = models.CharField(_("constraint value"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="role_rules", verbose_name=_("unit"))

    class Meta:
        verbose_name = _("role rule")
        verbose_name_plural = _("role rules")
        ordering = ["privilege", "constraint_value", "unit__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "privilege", "constraint_name", "constraint_value", "role", "unit"],
                name="sso_role_rule_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.privilege} → {self.get_role_display()} ({self.unit})"


class Identity(TimestampedModel):
    """The identity provider's key for a user: the persistent professional UUID (SAML) or the subject (OIDC)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="sign_on_identity")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="sign_on_identities")
    protocol = models.CharField(max_length=10, choices=Protocol.choices)
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=300)
    last_login_at = models.DateTimeField(null=True, blank=True)
    # The privileges the identity provider sent at the last login ([privilege, {constraint: [values]}]): an
    # administrator cannot add a rule that would give themselves a role (kreds.sso.services.add_rule).
    privileges = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "issuer", "subject"], name="sso_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class PendingRequest(models.Model):
    """A SAML AuthnRequest Kreds sent and has not had an answer to: the answer's InResponseTo must name one, and
    using it ends it. Kept in the database, not the session: the identity provider's POST back is cross-site, so
    the browser does not send the session cookie with it."""

    request_id = models.CharField(max_length=100, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    next_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.request_id


class SeenAssertion(models.Model):
    """An assertion already used to log in: the same assertion id again is a replay and refused."""

    issuer = models.CharField(max_length=500)
    assertion_id = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "assertion_id"], name="sso_assertion_once")]

    def __str__(self) -> str:
        return self.assertion_id
