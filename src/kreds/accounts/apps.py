from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kreds.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.accounts import signals  # noqa: F401
