"""Load the AWS managed policies for Amazon MQ, with their version history."""

from django.db import migrations


def load(apps, schema_editor):
    from policies.aws_managed import sync_aws_managed_policies

    sync_aws_managed_policies(
        apps.get_model("policies", "ManagedPolicy"), apps.get_model("policies", "PolicyVersion")
    )


def unload(apps, schema_editor):
    ManagedPolicy = apps.get_model("policies", "ManagedPolicy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    PolicyVersion.objects.filter(policy__is_aws_managed=True).delete()
    ManagedPolicy.objects.filter(is_aws_managed=True).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
