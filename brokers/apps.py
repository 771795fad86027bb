from django.apps import AppConfig


class BrokersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "brokers"

    def ready(self):
        from brokers import resources  # models are ready only now

        resources.register()
