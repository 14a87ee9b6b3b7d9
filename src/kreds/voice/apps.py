from typing import Any

from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "kreds.voice"
    label = "voice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.meetings import extras
        from kreds.participants import purposes
        from kreds.participants.models import LinkPurpose
        from kreds.voice import (
            archive,  # noqa: F401 - registers its part of a closed case's archive extract
            panels,  # noqa: F401 - registers the case overview panel
        )
        from kreds.voice.views import child_page

        purposes.register(LinkPurpose.CHILD, child_page)
        extras.register("voice/meeting_section.html", lambda meeting: _voice_for(meeting))


def _voice_for(meeting: Any) -> dict[str, object]:
    from kreds.voice.selectors import latest_voice

    return latest_voice(meeting.case)
