"""AWS managed policies survive a flush (transactional tests, ``manage.py flush``)."""

import pytest
from django.core.management import call_command

from policies.models import ManagedPolicy


@pytest.mark.django_db(transaction=True)
def test_flush_then_post_migrate_reloads_aws_managed_policies():
    call_command("flush", interactive=False, verbosity=0)
    assert ManagedPolicy.objects.filter(is_aws_managed=True).count() == 5
