from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kreds.plans"
    label = "plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from django.utils.translation import gettext_lazy as _

        from kreds.outbox import registry
        from kreds.participants import purposes
        from kreds.participants.models import LinkPurpose
        from kreds.plans import panels  # noqa: F401 - registers the case overview panel
        from kreds.plans.sending import PERSON_TASKS, send_person_tasks
        from kreds.plans.views import person_page

        purposes.register(LinkPurpose.PERSON, person_page)
        purposes.register_item_source(_other_tasks)
        registry.register(PERSON_TASKS, send_person_tasks, label=_("A network person's tasks"))


def _other_tasks(case, person):  # type: ignore[no-untyped-def]
    """For a meeting participant's page: their open tasks from the safety plan and the child's plan."""
    from kreds.plans.selectors import tasks_for_person

    return [t for t in tasks_for_person(case, person) if t.is_open and t.source in ("safety", "plan")]
