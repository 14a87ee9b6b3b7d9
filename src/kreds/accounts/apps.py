from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kreds.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.accounts import signals  # noqa: F401
