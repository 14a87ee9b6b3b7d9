from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "kreds.placements"
    label = "placements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.meetings.tasks import register_reminder_source
        from kreds.participants import purposes
        from kreds.placements import (
            archive,  # noqa: F401 - registers its part of a closed case's archive extract
            panels,  # noqa: F401 - registers the case overview panel
        )
        from kreds.placements.selectors import link_section

        purposes.register_section(link_section)
        # The daily staff reminder tells caseworkers about suspensions of contact ending within a week.
        register_reminder_source("suspensions", due=_suspensions_due, items=_own_suspensions)


def _suspensions_due(today):  # type: ignore[no-untyped-def]
    """The caseworkers of children whose suspension of contact ends within a week."""
    from kreds.cases.models import Case
    from kreds.placements.selectors import suspensions_ending

    ending = suspensions_ending(Case.objects.filter(status="open"), today)
    cases = Case.objects.filter(pk__in=[s.contact.case_id for s in ending])
    return set(cases.values_list("assignments__user_id", flat=True))


def _own_suspensions(user):  # type: ignore[no-untyped-def]
    from kreds.cases.models import Case
    from kreds.placements.selectors import suspensions_ending

    return suspensions_ending(
        Case.objects.filter(assignments__user=user, municipality=user.municipality, status="open")
    )
