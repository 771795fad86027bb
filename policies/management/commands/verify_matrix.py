"""``manage.py verify_matrix``: sample stored cells and check them against the engine."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from policies.effective.queries import freshness
from policies.effective.verify import verify_sample


class Command(BaseCommand):
    help = "Check a random sample of stored matrix cells against a fresh engine evaluation."

    def add_arguments(self, parser):
        parser.add_argument("--account-id", help="12-digit account id (default: all accounts)")
        parser.add_argument("--samples", type=int, default=500)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options):
        accounts = Account.objects.all()
        if options["account_id"]:
            accounts = accounts.filter(account_id=options["account_id"])
        failed = 0
        for account in accounts:
            info = freshness(account.pk)
            checked, mismatches = verify_sample(
                account, samples=options["samples"], seed=options["seed"]
            )
            state = "current" if info.current else f"{info.pending} changes pending"
            self.stdout.write(
                f"{account.account_id}: {checked} cells checked, "
                f"{len(mismatches)} mismatches (matrix v{info.version}, {state})"
            )
            for m in mismatches[:20]:
                self.stdout.write(
                    f"  {m.principal_arn} {m.action} {m.resource_arn}: stored "
                    f"{m.stored}, engine {m.engine}"
                )
            if mismatches and info.current:
                failed += len(mismatches)
        if failed:
            raise CommandError(f"{failed} stored cells disagree with the engine")
