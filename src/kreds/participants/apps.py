from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "kreds.participants"
    label = "participants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.core.schedule import DAY, register
        from kreds.participants.tasks import prune_link_data

        register("participants.prune_link_data", prune_link_data, every=DAY)
