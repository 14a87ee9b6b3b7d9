from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kreds.documents"
    label = "documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.core.schedule import DAY, register
        from kreds.documents import archive  # noqa: F401 - registers its part of a closed case's archive extract
        from kreds.documents.tasks import purge_orphan_files

        register("documents.purge_orphan_files", purge_orphan_files, every=DAY)
