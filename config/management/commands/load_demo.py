"""``manage.py load_demo``: load the demo world (idempotent) and print how to sign in."""

from django.core.management.base import BaseCommand

from config.demo import load_demo
from config.env import env


class Command(BaseCommand):
    help = "Load two demo accounts with users, groups, roles, policies and brokers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=None,
            help="password of the demo root users and IAM users "
            "(default: DEMO_PASSWORD or 'Demo-Passw0rd!')",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="print what was created only (`make run` prints the sign-in details last)",
        )

    def handle(self, *args, **options):
        password = options["password"] or env.str("DEMO_PASSWORD", default="Demo-Passw0rd!")
        report = load_demo(password=password)
        if report.created:
            self.stdout.write("Created: " + ", ".join(report.created))
        else:
            self.stdout.write("Demo data already present.")
        if options["quiet"]:
            return
        self.stdout.write("Sign in with:")
        for who, how in report.credentials:
            self.stdout.write(f"  {who}: {how}")
