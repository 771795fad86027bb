from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"

    def ready(self):
        # Imported here because they import models, which Django loads only after every
        # AppConfig (tests/test_architecture.py allows function-level imports in ready()).
        from accounts.audit import register_change_capture
        from policies.aws_managed import ensure_aws_managed_policies
        from policies.effective.outbox import capture
        from policies.resources import register as register_resource_facts

        post_migrate.connect(
            ensure_aws_managed_policies,
            sender=self,
            dispatch_uid="policies.ensure_aws_managed_policies",
        )
        # The matrix's change capture runs inside every audited write (accounts does not
        # import the matrix: docs/architecture.md, "Import contracts").
        register_change_capture(capture)
        # The one context builder reads IAM resources' tags and boundaries through these.
        register_resource_facts()
