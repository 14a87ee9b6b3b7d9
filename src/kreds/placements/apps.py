from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "kreds.placements"
    label = "placements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.participants import purposes
        from kreds.placements import (
            archive,  # noqa: F401 - registers its part of a closed case's archive extract
            panels,  # noqa: F401 - registers the case overview panel
        )
        from kreds.placements.selectors import link_section

        purposes.register_section(link_section)
