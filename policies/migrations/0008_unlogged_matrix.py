"""The matrix is derived data: keep it in UNLOGGED tables (no WAL, much cheaper writes).

After a PostgreSQL crash these tables come back empty; MatrixState is among them, so the
console then reports the matrix as not computed and the sweep recomputes it from the
(logged) policies. The outbox stays logged: no change can be lost.
"""

from django.db import migrations

TABLES = (
    "policies_effectivepermission",
    "policies_principalprovenance",
    "policies_matrixstate",
    "policies_matrixresource",
)


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_drop_redundant_matrix_index")]

    operations = [
        migrations.RunSQL(
            [f"ALTER TABLE {table} SET UNLOGGED" for table in TABLES],
            [f"ALTER TABLE {table} SET LOGGED" for table in TABLES],
        )
    ]
