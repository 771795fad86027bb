"""The AWS CLI scripts the console unchanged: ``aws iam … --endpoint-url`` (skipped without it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.query_api.conftest import ACCOUNT

VENV_AWS = Path(sys.executable).with_name("aws")
AWS = str(VENV_AWS) if VENV_AWS.exists() else shutil.which("aws")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(AWS is None, reason="the aws command (awscli) is not installed"),
]


@pytest.fixture
def aws(live_server, admin_key, tmp_path):
    """Run ``aws …`` against the live server with the admin's keys; returns parsed JSON."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": admin_key.key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": admin_key.secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
    }

    def run(*args: str, expect_error: bool = False):
        completed = subprocess.run(
            [AWS, *args, "--endpoint-url", live_server.url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if expect_error:
            assert completed.returncode != 0
            return completed.stderr
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout) if completed.stdout.strip() else None

    return run


def test_aws_cli_smoke(aws):
    identity = aws("sts", "get-caller-identity")
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    created = aws("iam", "create-user", "--user-name", "cli-user", "--tags", "Key=via,Value=cli")
    assert created["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/cli-user"
    users = aws("iam", "list-users", "--page-size", "1")  # the CLI follows the markers itself
    assert [u["UserName"] for u in users["Users"]] == ["admin", "cli-user"]
    aws(
        "iam",
        "put-user-policy",
        "--user-name",
        "cli-user",
        "--policy-name",
        "read",
        "--policy-document",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "mq:Describe*", "Resource": "*"}],
            }
        ),
    )
    simulated = aws(
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{ACCOUNT}:user/cli-user",
        "--action-names",
        "mq:DescribeBroker",
        "mq:DeleteBroker",
    )
    assert [r["EvalDecision"] for r in simulated["EvaluationResults"]] == [
        "allowed",
        "implicitDeny",
    ]
    error = aws("iam", "get-user", "--user-name", "ghost", expect_error=True)
    assert "NoSuchEntity" in error
