"""``manage.py create_account``: a new AWS account with its root user (and optionally a key)."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.actors import system_actor
from accounts.errors import IAMError
from accounts.services.access_keys import access_key_create
from accounts.services.accounts import account_create
from config.env import env


class Command(BaseCommand):
    help = (
        "Create an account with its root user. The password comes from --root-password "
        "or the ROOT_PASSWORD environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account-id", required=True, help="12 digits")
        parser.add_argument("--alias", default=None)
        parser.add_argument("--root-email", required=True)
        parser.add_argument("--root-password", default=None)
        parser.add_argument(
            "--with-access-key",
            action="store_true",
            help='print {"AccessKeyId": …, "SecretAccessKey": …} for root',
        )

    def handle(self, *args, **options):
        password = options["root_password"] or env.str("ROOT_PASSWORD", default="")
        if not password:
            raise CommandError("Give the root password with --root-password or ROOT_PASSWORD.")
        actor = system_actor(options["account_id"], via="manage.py create_account")
        try:
            account = account_create(
                actor=actor,
                account_id=options["account_id"],
                alias=options["alias"],
                root_email=options["root_email"],
                root_password=password,
            )
            if options["with_access_key"]:
                new_key = access_key_create(actor=actor, owner=account.root_user)
                self.stdout.write(json.dumps(new_key.as_aws_json()))
                return
        except IAMError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"Created account {account.account_id} (root {options['root_email']})")
