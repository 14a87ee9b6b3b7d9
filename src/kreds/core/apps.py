from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kreds.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.core.schedule import DAY, register
        from kreds.core.tasks import clear_expired_sessions, prune_finished_heartbeats, prune_login_records

        register("core.prune_finished_heartbeats", prune_finished_heartbeats, every=DAY)
        register("core.clear_expired_sessions", clear_expired_sessions, every=DAY)
        register("core.prune_login_records", prune_login_records, every=DAY)
