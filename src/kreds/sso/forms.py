from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kreds.accounts.constants import Role
from kreds.core.forms import KredsForm
from kreds.tenancy.models import Unit

MAX_METADATA = 1_000_000  # bytes of uploaded metadata (Context Handler's is about 10 kB)


class SamlForm(KredsForm):
    enabled = forms.BooleanField(label=_("Staff can log in with SAML"), required=False)
    metadata_url = forms.URLField(
        label=_("Address of the identity provider's metadata"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Kreds fetches the metadata from here when you save. Leave empty to upload a file instead."),
    )
    metadata_file = forms.FileField(
        label=_("Or upload the identity provider's metadata (XML)"),
        required=False,
        help_text=_("The file from the identity provider, e.g. Context Handler's IdP metadata."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_metadata_file(self) -> str:
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return ""
        if upload.size > MAX_METADATA:
            raise forms.ValidationError(_("The file is too large to be metadata (at most 1 MB)."))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not an XML file in UTF-8.")) from exc


class KeyUploadForm(KredsForm):
    key = forms.CharField(
        label=_("Private key (PEM)"),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Starts with -----BEGIN PRIVATE KEY-----. It is stored encrypted and never shown again."),
    )
    certificate = forms.CharField(
        label=_("Certificate (PEM)"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Starts with -----BEGIN CERTIFICATE-----."),
    )


class OidcForm(KredsForm):
    enabled = forms.BooleanField(label=_("Staff can log in with OpenID Connect"), required=False)
    issuer = forms.URLField(label=_("Issuer"), required=False, max_length=500, assume_scheme="https")
    client_id = forms.CharField(label=_("Client id"), required=False, max_length=200)
    roles_claim = forms.CharField(
        label=_("Claim holding the privileges"),
        max_length=100,
        initial="roles",
        help_text=_("The name of the claim whose values the rules below map to roles."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("enabled") and not (data.get("issuer") and data.get("client_id")):
            raise forms.ValidationError(_("Give the issuer and the client id to turn OpenID Connect login on."))
        return data


class RuleForm(KredsForm):
    privilege = forms.CharField(
        label=_("Privilege"),
        max_length=500,
        help_text=_("As the identity provider sends it, e.g. http://kreds.dk/roles/usersystemrole/sagsbehandler/1"),
    )
    constraint_name = forms.CharField(
        label=_("Constraint"),
        max_length=300,
        required=False,
        help_text=_("E.g. http://sts.kombit.dk/constraints/orgenhed/1 – only SAML privileges have constraints."),
    )
    constraint_value = forms.CharField(label=_("Constraint value"), max_length=300, required=False)
    role = forms.ChoiceField(label=_("Role in Kreds"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args: object, municipality_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality_id=municipality_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("constraint_name")) != bool(data.get("constraint_value")):
            raise forms.ValidationError(_("Give both the constraint and its value, or neither."))
        return data
