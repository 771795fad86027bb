from django.apps import AppConfig


class BrokersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "brokers"

    def ready(self):
        from brokers.resources import register  # models are ready only now

        register()
