"""Staff users and their roles per unit."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.accounts.constants import Role
from kreds.core.models import TimestampedModel
from kreds.tenancy.models import Municipality, Unit


class User(AbstractUser):
    """A municipal staff member. External participants never have accounts (they use personal links)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    # Local accounts need TOTP; accounts from the municipality's SSO rely on its assurance level.
    is_local_account = models.BooleanField(_("local account"), default=True)
    # Bumped to end every session of the user at once (administrator action, deactivation).
    session_epoch = models.PositiveIntegerField(default=0)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(TimestampedModel):
    """A user holds a role in a unit. A user may hold several roles in several units."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
