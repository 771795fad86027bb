from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # The console signs in root and IAM users, never Django auth users: the signal is sent
        # only so django-axes resets its failure counters, not to touch auth.User rows.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
