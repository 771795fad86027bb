"""IAM users: create, read, update, delete, list, tags, login profiles and ChangePassword."""

from __future__ import annotations

from accounts.errors import AccessDenied, NoSuchEntity
from accounts.models import IAMUser, RootUser
from accounts.query_api import render
from accounts.query_api.common import caller_identity, user_or_caller
from accounts.query_api.registry import Call, operation, paginate, tags_in, tags_out
from accounts.services import users
from policies.authorization import all_or_nothing
from policies.services.attachments import permissions_boundary_put_step
from policies.services.managed import policy_get_by_arn


def _named(call: Call) -> IAMUser:
    """The user named by ``UserName`` (its services authorize what is done to it)."""
    return users.user_get(account=call.account, name=call.get("UserName"))


def _user(call: Call, action: str) -> IAMUser:
    """The user named by ``UserName``, once the read ``action`` on it is authorized."""
    user = _named(call)
    call.require(action, user.arn)
    return user


@operation("iam", "CreateUser")
def create_user(call: Call) -> dict:
    """iam:CreateUser on the new ARN with its request tags and boundary as condition keys."""
    name, path = call.get("UserName"), call.get("Path", "/")
    tags = tags_in(call.get("Tags"))
    boundary_arn = call.get("PermissionsBoundary")
    with all_or_nothing():
        user = users.user_create(
            actor=call.actor,
            account=call.account,
            name=name,
            path=path,
            tags=tags,
            permissions_boundary_arn=boundary_arn,
        )
        if boundary_arn:
            policy = policy_get_by_arn(account=call.account, arn=boundary_arn)
            # Authorized by iam:CreateUser with iam:PermissionsBoundary, as AWS does.
            permissions_boundary_put_step(identity=user, policy=policy).run(call.actor)
    return {"User": render.user(user, full=True)}


@operation("iam", "GetUser")
def get_user(call: Call) -> dict:
    """The named user, or the caller itself (the root user answers with its account id)."""
    target = user_or_caller(call, call.get("UserName"))
    if isinstance(target, RootUser):
        call.require("iam:GetUser", target.arn)
        return {
            "User": {
                "UserId": target.account.account_id,
                "Arn": target.arn,
                "CreateDate": target.created_at,
                "PasswordLastUsed": target.last_login_at,
            }
        }
    call.require("iam:GetUser", target.arn)
    return {"User": render.user(target, full=True)}


@operation("iam", "UpdateUser")
def update_user(call: Call) -> None:
    """Rename or move a user: AWS asks for permission on both the old and the new ARN."""
    user = _named(call)
    new_name, new_path = call.get("NewUserName"), call.get("NewPath")
    users.user_update(actor=call.actor, user=user, new_name=new_name, new_path=new_path)


@operation("iam", "DeleteUser")
def delete_user(call: Call) -> None:
    """Delete a user with nothing attached (DeleteConflict names what must go first)."""
    users.user_delete(actor=call.actor, user=_named(call))


@operation("iam", "ListUsers")
def list_users(call: Call) -> dict:
    """The account's users under ``PathPrefix``, by name, a page at a time."""
    call.require("iam:ListUsers", "*")
    queryset = (
        IAMUser.objects.filter(account=call.account, path__startswith=call.get("PathPrefix", "/"))
        .select_related("account")
        .order_by("name", "id")
    )
    return paginate(call, queryset, "Users", render.user)


@operation("iam", "ListUserTags")
def list_user_tags(call: Call) -> dict:
    """The user's tags, a page at a time."""
    return paginate(call, tags_out(_user(call, "iam:ListUserTags").tags), "Tags")


@operation("iam", "TagUser")
def tag_user(call: Call) -> None:
    """Add or overwrite tags; the request tags are condition keys of iam:TagUser."""
    users.user_tag(actor=call.actor, user=_named(call), tags=tags_in(call.get("Tags")))


@operation("iam", "UntagUser")
def untag_user(call: Call) -> None:
    """Remove tags by key; the keys are ``aws:TagKeys``."""
    users.user_untag(actor=call.actor, user=_named(call), keys=call.get("TagKeys"))


def _login_profile(user: IAMUser) -> dict:
    return {
        "LoginProfile": {
            "UserName": user.name,
            "CreateDate": user.password_changed_at or user.created_at,
            "PasswordResetRequired": user.password_reset_required,
        }
    }


def _profile_user(call: Call, read_action: str | None = None) -> IAMUser:
    """``UserName`` or the caller; a read is authorized here, changes by their services."""
    target = user_or_caller(call, call.get("UserName"))
    if isinstance(target, RootUser):
        raise NoSuchEntity("The root user's password is managed from the console's sign-in.")
    if read_action:
        call.require(read_action, target.arn)
    return target


def _no_profile(user: IAMUser) -> NoSuchEntity:
    return NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")


@operation("iam", "CreateLoginProfile")
def create_login_profile(call: Call) -> dict:
    """Give a user a console password (the account's password policy applies)."""
    user = _profile_user(call)
    users.user_login_profile_create(
        actor=call.actor,
        user=user,
        password=call.get("Password"),
        reset_required=call.get("PasswordResetRequired", False),
    )
    return _login_profile(user)


@operation("iam", "GetLoginProfile")
def get_login_profile(call: Call) -> dict:
    """Whether a user has a console password, since when, and whether it must be reset."""
    user = _profile_user(call, "iam:GetLoginProfile")
    if not user.has_console_password:
        raise _no_profile(user)
    return _login_profile(user)


@operation("iam", "UpdateLoginProfile")
def update_login_profile(call: Call) -> None:
    """Set a new password and/or the reset-required flag."""
    user = _profile_user(call)
    reset = call.get("PasswordResetRequired")
    users.user_login_profile_update(
        actor=call.actor,
        user=user,
        password=call.get("Password"),
        reset_required=user.password_reset_required if reset is None else reset,
    )


@operation("iam", "DeleteLoginProfile")
def delete_login_profile(call: Call) -> None:
    """Take the console password away (access keys keep working)."""
    user = _profile_user(call)
    users.user_password_set(actor=call.actor, user=user, password=None)


@operation("iam", "ChangePassword")
def change_password(call: Call) -> None:
    """A user changes its own password: the password policy's switch or iam:ChangePassword."""
    user = caller_identity(call)
    if not isinstance(user, IAMUser):
        raise AccessDenied("Only IAM users can change their password with ChangePassword.")
    users.user_password_change(
        actor=call.actor,
        user=user,
        old_password=call.get("OldPassword"),
        new_password=call.get("NewPassword"),
    )
