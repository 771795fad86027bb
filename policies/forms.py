"""Forms of the policy pages; AWS's rules live in the services, forms only shape input."""

from __future__ import annotations

import json

from django import forms

from config.forms import ConsoleForm, parse_tags
from policies.catalog import get_catalog
from policies.documents import REJECTED_BY_IAM
from policies.engine import PolicyError, parse
from policies.engine.validate import Severity, validate_text

# Error findings the services reject themselves (MalformedPolicyDocument, LimitExceeded).
SERVICE_REJECTS = REJECTED_BY_IAM | {"POLICY_DOCUMENT_TOO_LONG", "POLICY_SIZE_EXCEEDED"}

STARTER_DOCUMENT = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadBrokers",
            "Effect": "Allow",
            "Action": [
                "mq:DescribeBroker",
                "mq:ListBrokers"
            ],
            "Resource": "*"
        }
    ]
}"""


class DocumentField(forms.CharField):
    """The JSON policy editor: a monospace textarea that keeps the text exactly as typed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Policy document (JSON)")
        kwargs.setdefault("strip", False)
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={
                    "rows": 20,
                    "spellcheck": "false",
                    "autocomplete": "off",
                    "autocapitalize": "off",
                    "wrap": "off",
                    "class": "editor-text",
                    "aria-describedby": "editor-findings-summary",
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        # Browsers submit textarea lines with CRLF; keep the document's lines as typed (LF).
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text

    def validate(self, value):
        """AWS's console editor refuses to save a policy with an error finding (an unknown
        action, a bad ARN…) and lets warnings through; the API accepts both, so this rule
        is the console's form, not the service's. Syntax, grammar and size errors are left to
        the service, which rejects them with AWS's own message."""
        super().validate(value)
        try:
            parse(json.loads(value))
        except (ValueError, PolicyError):
            return  # the service's MalformedPolicyDocument names the path and line
        errors = [
            f
            for f in validate_text(value, "identity", catalog=get_catalog())
            if f.severity is Severity.ERROR and f.code not in SERVICE_REJECTS
        ]
        if errors:
            raise forms.ValidationError(
                [f"Fix this error before saving: {f.message} ({f.path})" for f in errors]
            )


class TagsMixin:
    """A ``tags`` textarea of ``key=value`` lines, parsed into ``tag_map``."""

    def clean_tag_map(self, data: dict) -> None:
        try:
            data["tag_map"] = parse_tags(data.get("tags", ""))
        except ValueError as error:
            self.add_error("tags", str(error))


def tags_field(label: str = "Tags") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: key=value (up to 50 tags).",
    )


class PolicyCreateForm(TagsMixin, ConsoleForm):
    """CreatePolicy: name, path, description, document and request tags."""

    name = forms.CharField(
        label="Policy name",
        max_length=128,
        help_text="Up to 128 letters, digits and + = , . @ _ -",
    )
    path = forms.CharField(
        label="Path", max_length=512, initial="/", help_text="For example / or /team/"
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    document = DocumentField()
    tags = tags_field()

    def clean(self):
        data = super().clean()
        self.clean_tag_map(data)
        return data


class PolicyVersionCreateForm(ConsoleForm):
    """CreatePolicyVersion, with the version to delete first when five already exist."""

    document = DocumentField()
    set_as_default = forms.BooleanField(
        label="Set as the default version (the one that is evaluated)",
        required=False,
        initial=True,
    )
    delete_version = forms.ChoiceField(
        label="Version to delete",
        required=False,
        widget=forms.RadioSelect,
        help_text="A managed policy keeps at most five versions.",
    )

    def __init__(self, *args, deletable: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_deletion = deletable is not None
        if deletable is None:
            del self.fields["delete_version"]
        else:
            self.fields["delete_version"].choices = deletable
            self.fields["delete_version"].required = True
            self.fields["delete_version"].widget.attrs.pop("class", None)


class InlinePolicyForm(ConsoleForm):
    """PutUserPolicy / PutGroupPolicy / PutRolePolicy: a name and a document."""

    name = forms.CharField(
        label="Policy name",
        max_length=128,
        help_text="Unique among this identity's inline policies.",
    )
    document = DocumentField()

    def __init__(self, *args, name_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if name_locked:
            # Renaming is not an IAM operation: a new name would create a second policy.
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "Inline policy names cannot be changed."


class BoundaryForm(ConsoleForm):
    """PutUserPermissionsBoundary / PutRolePermissionsBoundary: the managed policy to use."""

    policy_arn = forms.ChoiceField(label="Permissions boundary policy")

    def __init__(self, *args, policies: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arn"].choices = [("", "Choose a managed policy…")] + [
            (p.arn, f"{p.name} ({'AWS managed' if p.is_aws_managed else 'customer managed'})")
            for p in policies
        ]


class AttachForm(ConsoleForm):
    """Attach a managed policy to one user, group or role (``kind:name``)."""

    target = forms.ChoiceField(label="Attach to")

    def __init__(self, *args, names: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        groups = [
            (label, [(f"{kind}:{name}", name) for name in names.get(kind, [])])
            for kind, label in (("user", "Users"), ("group", "Groups"), ("role", "Roles"))
            if names.get(kind)
        ]
        self.fields["target"].choices = [("", "Choose a user, group or role…"), *groups]

    @property
    def kind_and_name(self) -> tuple[str, str]:
        kind, _, name = self.cleaned_data["target"].partition(":")
        return kind, name


class TagsForm(TagsMixin, ConsoleForm):
    """The tags of a customer managed policy as ``key=value`` lines."""

    tags = tags_field()

    def clean(self):
        data = super().clean()
        self.clean_tag_map(data)
        return data
