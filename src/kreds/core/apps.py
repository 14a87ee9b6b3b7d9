from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kreds.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.core.schedule import DAY, register
        from kreds.core.tasks import prune_finished_heartbeats

        register("core.prune_finished_heartbeats", prune_finished_heartbeats, every=DAY)
