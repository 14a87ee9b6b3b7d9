from django.apps import AppConfig
from django.db.models.signals import post_save


class NetworkConfig(AppConfig):
    name = "kreds.network"
    label = "network"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.network import (
            archive,  # noqa: F401 - registers its part of a closed case's archive extract
            panels,  # noqa: F401 - registers the case overview panel
        )
        from kreds.network.services import ensure_default_sectors
        from kreds.tenancy.models import Municipality

        def _sectors_for_new_municipality(
            sender: type, instance: Municipality, created: bool, **kwargs: object
        ) -> None:
            # Every municipality has the default sectors from its first day, so no page has to create them on a GET.
            if created and not kwargs.get("raw"):
                ensure_default_sectors(instance)

        post_save.connect(_sectors_for_new_municipality, sender=Municipality, dispatch_uid="network-default-sectors")
