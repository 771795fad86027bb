"""Create the project's PostgreSQL database if it does not exist yet."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the database named in DATABASE_URL if missing (connects to 'postgres')."
    requires_system_checks = []

    def handle(self, *args, **options):
        import psycopg
        from psycopg import sql

        db = settings.DATABASES["default"]
        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "connect_timeout": 3,
        }
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
                ).fetchone()
                if exists:
                    self.stdout.write(f"database {db['NAME']} exists")
                    return
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                self.stdout.write(f"database {db['NAME']} created")
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"PostgreSQL is unreachable at {params['host']}:{params['port']}: {exc}"
            ) from exc
