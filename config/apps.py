from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Project-wide pieces that are not a domain app: infrastructure commands and health."""

    name = "config"
    label = "config"

    def ready(self):
        import config.lookups  # noqa: F401 - registers the ``__any`` lookup
