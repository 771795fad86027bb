from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_aws_managed_policies(sender, **kwargs):
    """Reload AWS managed policies if a flush removed them (``manage.py flush``, test runs).

    The data migration loads them once; a flush empties every table and then sends
    ``post_migrate``, so the console would otherwise lose AmazonMQFullAccess & co.
    """
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    using = kwargs.get("using", "default")
    if not ManagedPolicy.objects.using(using).filter(is_aws_managed=True).exists():
        sync_aws_managed_policies(ManagedPolicy, PolicyVersion)


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"

    def ready(self):
        from policies import resources  # models are ready only now

        resources.register()
        post_migrate.connect(
            ensure_aws_managed_policies,
            sender=self,
            dispatch_uid="policies.ensure_aws_managed_policies",
        )
