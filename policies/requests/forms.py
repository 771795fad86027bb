"""Forms of the access-request pages: they shape input; the rules live in the services."""

from __future__ import annotations

from django import forms

from config.forms import ConsoleForm
from policies.catalog import get_catalog
from policies.requests.synthesis import CUSTOM, INTENTS, Target

LEVELS = ("List", "Read", "Write", "Tagging", "Permissions management")
DURATIONS = [
    ("1", "1 hour"),
    ("4", "4 hours"),
    ("8", "8 hours"),
    ("24", "1 day"),
    ("72", "3 days"),
    ("168", "7 days"),
    ("336", "14 days"),
    ("720", "30 days"),
    ("2160", "90 days"),
]
PERMANENT = "permanent"


def mq_actions_by_level() -> list[tuple[str, list[str]]]:
    """Amazon MQ's actions grouped by access level, as the picker shows them."""
    service = get_catalog().service("mq")
    groups = []
    for level in LEVELS:
        names = sorted(a.full_name for a in service.actions.values() if a.access_level == level)
        if names:
            groups.append((level, names))
    return groups


def duration_choices(*, allow_permanent: bool, at_most: int | None = None) -> list:
    choices = [(v, label) for v, label in DURATIONS if at_most is None or int(v) <= at_most]
    if allow_permanent and at_most is None:
        choices.append((PERMANENT, "Permanent (no expiry)"))
    return choices


def duration_hours(value: str) -> int | None:
    return None if value == PERMANENT else int(value)


class AccessRequestForm(ConsoleForm):
    """What you need, on what, for how long, and why."""

    intent = forms.ChoiceField(
        label="What do you need to do?",
        widget=forms.RadioSelect,
        choices=[(i.key, i.label) for i in INTENTS.values()] + [(CUSTOM, "Specific actions")],
    )
    actions = forms.MultipleChoiceField(
        label="Actions", required=False, widget=forms.CheckboxSelectMultiple
    )
    brokers = forms.MultipleChoiceField(
        label="Brokers", required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    configurations = forms.MultipleChoiceField(
        label="Configurations", required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    tag_key = forms.CharField(label="Tag key", required=False, max_length=128)
    tag_value = forms.CharField(label="Tag value", required=False, max_length=256)
    resource_arn = forms.CharField(
        label="Other resource (ARN)", required=False, max_length=2048, widget=forms.HiddenInput
    )
    duration = forms.ChoiceField(label="For how long?")
    justification = forms.CharField(
        label="Justification",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who will read this: the administrators who decide. Say what you will do.",
    )

    def __init__(self, *args, brokers=(), configurations=(), allow_permanent=False, **kwargs):
        super().__init__(*args, **kwargs)
        extra = []
        data_actions = self.data.getlist("actions") if hasattr(self.data, "getlist") else []
        initial_actions = self.initial.get("actions") or []
        known = {n for _level, names in mq_actions_by_level() for n in names}
        # A denial can name an action of another service: offer it too, already chosen.
        for name in [*data_actions, *initial_actions]:
            if name not in known and get_catalog().action(name) is not None:
                extra.append(name)
        self.extra_actions = sorted(set(extra))
        self.fields["actions"].choices = [
            (n, n) for _level, names in mq_actions_by_level() for n in names
        ] + [(n, n) for n in self.extra_actions]
        self.fields["brokers"].choices = [(b.arn, f"{b.name} ({b.region})") for b in brokers]
        self.fields["configurations"].choices = [
            (c.arn, f"{c.name} ({c.region})") for c in configurations
        ]
        self.fields["duration"].choices = duration_choices(allow_permanent=allow_permanent)

    def action_groups(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """The picker's rows: (level, [(action, checked)]), the denial's own action first."""
        chosen = set(self["actions"].value() or [])
        groups = [
            (level, [(n, n in chosen) for n in names]) for level, names in mq_actions_by_level()
        ]
        if self.extra_actions:
            groups.insert(0, ("From the denial", [(n, n in chosen) for n in self.extra_actions]))
        return groups

    def clean(self):
        data = super().clean()
        targets = [Target("arn", arn=a) for a in data.get("brokers") or []]
        targets += [Target("arn", arn=a) for a in data.get("configurations") or []]
        if data.get("resource_arn"):
            targets.append(Target("arn", arn=data["resource_arn"]))
        key, value = data.get("tag_key", "").strip(), data.get("tag_value", "").strip()
        if key:
            targets.append(Target("tag", key=key, value=value))
        elif value:
            self.add_error("tag_key", "Give the tag's key as well as its value.")
        data["targets"] = targets
        if data.get("intent") == CUSTOM and not data.get("actions"):
            self.add_error("actions", "Choose at least one action.")
        if "duration" in data:
            data["duration_hours"] = duration_hours(data["duration"])
        return data


class ApproveForm(ConsoleForm):
    """An approver may shorten the duration and keep only some of the targets."""

    duration = forms.ChoiceField(label="Duration")
    targets = forms.MultipleChoiceField(
        label="Targets", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, access_request, **kwargs):
        super().__init__(*args, **kwargs)
        hours = access_request.duration_hours
        choices = duration_choices(allow_permanent=hours is None, at_most=hours)
        if hours is None:
            choices = [(PERMANENT, "Permanent (as requested)"), *choices]
        elif str(hours) not in dict(choices):
            choices.append((str(hours), f"{hours} hours (as requested)"))
        self.fields["duration"].choices = choices
        self.fields["duration"].initial = PERMANENT if hours is None else str(hours)
        self.target_list = [Target.from_dict(t) for t in access_request.targets]
        self.fields["targets"].choices = [(str(i), t.label) for i, t in enumerate(self.target_list)]
        self.fields["targets"].initial = [str(i) for i in range(len(self.target_list))]

    def clean(self):
        data = super().clean()
        if "duration" in data:
            data["duration_hours"] = duration_hours(data["duration"])
        if self.target_list:
            chosen = data.get("targets") or []
            if not chosen:
                self.add_error("targets", "Keep at least one target, or deny the request.")
            data["target_list"] = [self.target_list[int(i)] for i in chosen]
        else:
            data["target_list"] = None
        return data


class ReasonForm(ConsoleForm):
    """Deny, or ask for changes: the requester reads the reason."""

    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtendForm(ConsoleForm):
    """Ask for more time on an approved grant."""

    hours = forms.TypedChoiceField(label="Extend by", coerce=int, choices=DURATIONS)
    justification = forms.CharField(
        label="Why do you need more time?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequestSettingsForm(ConsoleForm):
    """The account's rules for access requests."""

    require_two_approvers = forms.BooleanField(
        label="Require two distinct approvers", required=False
    )
    allow_permanent = forms.BooleanField(label="Allow permanent grants", required=False)
    pending_expiry_days = forms.IntegerField(
        label="Unanswered requests expire after (days)", min_value=1, max_value=90
    )
