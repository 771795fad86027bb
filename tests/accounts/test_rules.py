"""AWS's format rules for names, paths, tags, account ids and aliases (no database needed)."""

import pytest

from accounts import rules
from accounts.errors import LimitExceeded, ValidationError


@pytest.mark.parametrize("name", ["alice", "a", "x" * 64, "svc+bot=1,a.b@c_d-e"])
def test_valid_user_names(name):
    assert rules.check_name("user", name) == name


@pytest.mark.parametrize(
    "name", ["", "x" * 65, "has space", "slash/name", "émile", "star*", None, 12]
)
def test_invalid_user_names_raise_validation_error(name):
    with pytest.raises(ValidationError) as exc:
        rules.check_name("user", name)
    assert exc.value.code == "ValidationError"


def test_group_and_policy_names_allow_128_characters():
    assert rules.check_name("group", "g" * 128)
    assert rules.check_name("policy", "p" * 128)
    with pytest.raises(ValidationError):
        rules.check_name("group", "g" * 129)
    with pytest.raises(ValidationError):
        rules.check_name("role", "r" * 65)


@pytest.mark.parametrize("path", ["/", "/division/", "/a/b/c/", "/" + "x" * 510 + "/"])
def test_valid_paths(path):
    assert rules.check_path(path) == path


@pytest.mark.parametrize("path", ["", "a/", "/a", "//x", "/a b/", "/é/", "/" + "x" * 511 + "/"])
def test_invalid_paths(path):
    with pytest.raises(ValidationError):
        rules.check_path(path)


@pytest.mark.parametrize("alias", ["abc", "acme-prod", "a1-b2", "x" * 63])
def test_valid_aliases(alias):
    assert rules.check_alias(alias) == alias


@pytest.mark.parametrize(
    "alias", ["ab", "Acme", "-acme", "acme-", "ac--me", "123456789012", "x" * 64, "acme_prod"]
)
def test_invalid_aliases(alias):
    with pytest.raises(ValidationError):
        rules.check_alias(alias)


@pytest.mark.parametrize("account_id", ["12345678901", "1234567890123", "12345678901a", None])
def test_invalid_account_ids(account_id):
    with pytest.raises(ValidationError):
        rules.check_account_id(account_id)


def test_tags_accept_dict_and_aws_list_forms():
    assert rules.check_tags({"team": "payments"}, entity="user") == {"team": "payments"}
    assert rules.check_tags([{"Key": "env", "Value": "prod"}], entity="user") == {"env": "prod"}
    assert rules.check_tags([{"Key": "empty"}], entity="user") == {"empty": ""}


def test_more_than_50_tags_is_limit_exceeded():
    with pytest.raises(LimitExceeded) as exc:
        rules.check_tags({f"k{i}": "v" for i in range(51)}, entity="user")
    assert "TagsPerUser: 50" in exc.value.message
    assert len(rules.check_tags({f"k{i}": "v" for i in range(50)}, entity="user")) == 50


@pytest.mark.parametrize(
    "tags",
    [
        {"": "v"},
        {"k" * 129: "v"},
        {"key": "v" * 257},
        {"aws:reserved": "v"},
        {"bad*key": "v"},
        [{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}],
        "not tags",
    ],
)
def test_invalid_tags(tags):
    with pytest.raises(ValidationError):
        rules.check_tags(tags, entity="user")


def test_tag_keys_are_case_sensitive_where_aws_says_so():
    tags = [{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    assert rules.check_tags(tags, entity="policy", case_insensitive_keys=False) == {
        "Team": "a",
        "team": "b",
    }


def test_merge_tags_replaces_keys_case_insensitively():
    assert rules.merge_tags({"Team": "a", "env": "x"}, {"team": "b"}) == {"env": "x", "team": "b"}


@pytest.mark.parametrize("seconds", [3599, 43201, "3600", True, None])
def test_invalid_max_session_duration(seconds):
    with pytest.raises(ValidationError):
        rules.check_max_session_duration(seconds)


def test_max_session_duration_bounds():
    assert rules.check_max_session_duration(3600) == 3600
    assert rules.check_max_session_duration(43200) == 43200
