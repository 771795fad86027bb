"""Give configurations made before revisions existed their revision 1 (the engine default)."""

from django.db import migrations


def add_first_revisions(apps, schema_editor):
    from brokers.documents import default_data
    from brokers.engines import engine_label

    Configuration = apps.get_model("brokers", "Configuration")
    ConfigurationRevision = apps.get_model("brokers", "ConfigurationRevision")
    for configuration in Configuration.objects.filter(revisions__isnull=True):
        ConfigurationRevision.objects.create(
            configuration=configuration,
            revision=1,
            description=(
                f"Auto-generated default for {configuration.name} on "
                f"{engine_label(configuration.engine_type)} {configuration.engine_version}"
            ),
            data=default_data(configuration.engine_type),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("brokers", "0002_broker_settings_users_revisions"),
    ]

    operations = [migrations.RunPython(add_first_revisions, migrations.RunPython.noop)]
