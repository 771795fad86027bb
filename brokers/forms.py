"""Console forms of brokers, users and configurations; field names are Amazon MQ's wire names.

Naming fields after the wire names lets a service's ``BadRequest`` (whose ``fields`` key is the
wire attribute) land on the right field. Rules live in ``brokers.rules`` and the services; a
form only shapes input and calls the same checks.
"""

from __future__ import annotations

from functools import partial

from django import forms

from accounts.errors import IAMError
from brokers import engines, rules
from brokers.models import Broker, Configuration
from config.forms import ConsoleForm, parse_tags


def _engine_choices() -> list[tuple[str, str]]:
    return [(e, engines.engine_label(e)) for e in engines.engine_types()]


def _mode_label(mode: str) -> str:
    return {
        "SINGLE_INSTANCE": "Single-instance broker",
        "ACTIVE_STANDBY_MULTI_AZ": "Active/standby broker (two Availability Zones)",
        "CLUSTER_MULTI_AZ": "Cluster deployment (three nodes across Availability Zones)",
    }.get(mode, mode)


class RuleForm(ConsoleForm):
    """A form whose ``run_rule`` turns a rule's BadRequest into a field error."""

    # Wire attributes that several form fields make up (maintenanceWindow…) → the field to mark.
    field_aliases: dict[str, str] = {}

    def error_field(self, error: IAMError) -> str | None:
        for name in error.fields or {}:
            name = self.field_aliases.get(name, name)
            if name in self.fields:
                return name
        return None

    def apply_error(self, error: IAMError) -> None:
        """Show a service error on the field it names, else above the form."""
        self.add_error(self.error_field(error), error.message)

    def run_rule(self, check, *args):
        try:
            return check(*args)
        except IAMError as error:
            self.apply_error(error)
            return None


class EngineStepForm(RuleForm):
    engineType = forms.ChoiceField(
        label="Broker engine", widget=forms.RadioSelect, initial="ACTIVEMQ"
    )
    engineVersion = forms.ChoiceField(label="Engine version")

    def __init__(self, *args, engine_type: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineType"].choices = _engine_choices()
        # What was posted wins; otherwise the engine being looked at (htmx) or stored.
        engine = self.data.get("engineType") or engine_type or self.initial.get("engineType")
        engine = engine if engine in engines.engine_types() else engines.engine_types()[0]
        self.fields["engineVersion"].choices = [(v, v) for v in engines.engine_versions(engine)]
        self.fields["engineVersion"].help_text = "The newest version is the default."

    def clean(self):
        data = super().clean()
        if "engineType" in data:
            result = self.run_rule(
                rules.check_engine, data["engineType"], data.get("engineVersion")
            )
            if result:
                data["engineType"], data["engineVersion"] = result
        return data


class ModeStepForm(RuleForm):
    brokerName = forms.CharField(
        label="Broker name",
        max_length=50,
        help_text="1-50 letters, digits, dashes and underscores; unique in the Region.",
    )
    deploymentMode = forms.ChoiceField(label="Deployment mode", widget=forms.RadioSelect)

    def __init__(self, *args, engine_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.engine_type = engine_type
        self.fields["deploymentMode"].choices = [
            (mode, _mode_label(mode)) for mode in engines.deployment_modes(engine_type)
        ]
        self.unsupported = [
            (_mode_label(mode), engines.engine_label(engines.deployment_mode_engines(mode)[0]))
            for mode in engines.enum("DeploymentMode")
            if mode not in engines.deployment_modes(engine_type)
        ]

    def clean(self):
        data = super().clean()
        if "brokerName" in data:
            self.run_rule(rules.check_broker_name, data["brokerName"])
        if "deploymentMode" in data:
            self.run_rule(rules.check_deployment_mode, self.engine_type, data["deploymentMode"])
        return data


class InstanceStepForm(RuleForm):
    hostInstanceType = forms.ChoiceField(label="Broker instance type")
    storageType = forms.ChoiceField(label="Storage type", widget=forms.RadioSelect)

    def __init__(self, *args, engine_type: str, deployment_mode: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.engine_type, self.deployment_mode = engine_type, deployment_mode
        names = engines.instance_type_names(engine_type, deployment_mode)
        self.fields["hostInstanceType"].choices = [(n, n) for n in names]
        self.fields["storageType"].choices = [
            (s, {"EBS": "Amazon EBS (throughput-optimized)", "EFS": "Amazon EFS (durable)"}[s])
            for s in engines.enum("BrokerStorageType")
            if any(s in engines.storage_types(engine_type, n) for n in names)
        ]
        self.fields["storageType"].initial = engines.default_storage_type(engine_type)
        if engine_type == "ACTIVEMQ":
            self.fields["storageType"].help_text = "Amazon EBS needs an mq.m5 instance type."

    def clean(self):
        data = super().clean()
        instance = data.get("hostInstanceType")
        if instance and self.run_rule(
            rules.check_instance_type, self.engine_type, self.deployment_mode, instance
        ):
            self.run_rule(rules.check_storage, self.engine_type, instance, data.get("storageType"))
        return data


class AccessStepForm(RuleForm):
    field_aliases = {"maintenanceWindow": "maintenanceTime", "logs": "logsAudit"}
    publiclyAccessible = forms.BooleanField(
        label="Public accessibility",
        required=False,
        help_text="Reachable from outside the VPC. Without it, only clients in the VPC connect.",
    )
    autoMinorVersionUpgrade = forms.BooleanField(
        label="Automatic minor version upgrades", required=False, initial=True
    )
    maintenanceDay = forms.ChoiceField(label="Day of the week")
    maintenanceTime = forms.CharField(
        label="Start time", initial="03:00", help_text="24-hour HH:MM"
    )
    maintenanceTimeZone = forms.CharField(
        label="Time zone", initial="UTC", help_text="UTC, UTC+05:30 or Europe/Paris"
    )
    logsGeneral = forms.BooleanField(label="Publish general logs", required=False)
    logsAudit = forms.BooleanField(label="Publish audit logs", required=False)
    kmsKeyId = forms.CharField(
        label="Customer managed KMS key (optional)",
        required=False,
        help_text="Empty: an AWS owned key encrypts data at rest.",
    )
    configuration = forms.ChoiceField(label="Broker configuration", required=False)

    def __init__(self, *args, engine_type: str, engine_version: str, account, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.engine_type, self.engine_version = engine_type, engine_version
        self.fields["maintenanceDay"].choices = [(d, d.title()) for d in engines.enum("DayOfWeek")]
        if engine_type != "ACTIVEMQ":
            del self.fields["logsAudit"]
            del self.fields["kmsKeyId"]
        configurations = Configuration.objects.filter(
            account=account, region=region, engine_type=engine_type
        ).order_by("name")
        default = "Create a default configuration" if engine_type == "ACTIVEMQ" else "None"
        self.fields["configuration"].choices = [("", default)] + [
            (c.configuration_id, f"{c.name} (revision {c.latest_revision})") for c in configurations
        ]

    def clean(self):
        data = super().clean()
        window = {
            "dayOfWeek": data.get("maintenanceDay"),
            "timeOfDay": data.get("maintenanceTime"),
            "timeZone": data.get("maintenanceTimeZone"),
        }
        self.run_rule(partial(rules.check_maintenance_window, default_day="SUNDAY"), window)
        self.run_rule(
            rules.check_auto_minor_upgrade,
            self.engine_type,
            self.engine_version,
            data.get("autoMinorVersionUpgrade", False),
        )
        self.run_rule(
            rules.check_logs,
            self.engine_type,
            {"general": data.get("logsGeneral"), "audit": data.get("logsAudit", False)},
        )
        return data


class UserStepForm(RuleForm):
    username = forms.CharField(label="Username", max_length=100)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text="At least 12 characters, 4 unique, no commas, colons or equal signs.",
    )
    consoleAccess = forms.BooleanField(label="ActiveMQ Web Console access", required=False)
    groups = forms.CharField(label="Groups", required=False, help_text="Comma-separated, up to 20.")

    def __init__(self, *args, engine_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.engine_type = engine_type
        if engine_type != "ACTIVEMQ":
            del self.fields["consoleAccess"]
            del self.fields["groups"]
            self.fields["username"].help_text = "The broker's administrative user."

    def clean(self):
        data = super().clean()
        if "username" in data:
            self.run_rule(rules.check_username, self.engine_type, data["username"])
        if "password" in data:
            self.run_rule(rules.check_password, data["password"])
        groups = split_groups(data.get("groups", ""))
        data["groups"] = self.run_rule(rules.check_groups, groups) or []
        return data


def split_groups(text: str) -> list[str]:
    return [g.strip() for g in (text or "").split(",") if g.strip()]


class TagsForm(RuleForm):
    tags = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: key=value. Tags become aws:ResourceTag/KEY in policies.",
    )

    def clean(self):
        data = super().clean()
        try:
            data["tag_map"] = parse_tags(data.get("tags", ""))
        except ValueError as error:
            self.add_error("tags", str(error))
            return data
        self.run_rule(rules.check_tags, data["tag_map"])
        return data


class BrokerUserForm(RuleForm):
    """CreateUser / UpdateUser (the password is optional when updating)."""

    username = forms.CharField(label="Username", max_length=100)
    password = forms.CharField(
        label="Password",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, 4 unique, no commas, colons or equal signs.",
    )
    consoleAccess = forms.BooleanField(label="ActiveMQ Web Console access", required=False)
    groups = forms.CharField(label="Groups", required=False, help_text="Comma-separated, up to 20.")

    def __init__(self, *args, updating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.updating = updating
        if updating:
            self.fields["username"].disabled = True
            self.fields["password"].help_text = "Leave empty to keep the current password."
        else:
            self.fields["password"].required = True

    def clean(self):
        data = super().clean()
        data["group_list"] = split_groups(data.get("groups", ""))
        return data


class BrokerUpdateForm(RuleForm):
    """UpdateBroker: what Amazon MQ lets you change after creation."""

    field_aliases = {"maintenanceWindow": "maintenanceTime", "logs": "logsGeneral"}

    engineVersion = forms.ChoiceField(label="Engine version")
    hostInstanceType = forms.ChoiceField(label="Broker instance type")
    autoMinorVersionUpgrade = forms.BooleanField(
        label="Automatic minor version upgrades", required=False
    )
    maintenanceDay = forms.ChoiceField(label="Maintenance window: day")
    maintenanceTime = forms.CharField(label="Maintenance window: start time")
    maintenanceTimeZone = forms.CharField(label="Time zone")
    logsGeneral = forms.BooleanField(label="Publish general logs", required=False)
    logsAudit = forms.BooleanField(label="Publish audit logs", required=False)
    configuration = forms.ChoiceField(label="Configuration and revision", required=False)

    def __init__(self, *args, broker: Broker, **kwargs):
        super().__init__(*args, **kwargs)
        engine = broker.engine_type
        self.fields["engineVersion"].choices = [(v, v) for v in engines.engine_versions(engine)]
        names = engines.instance_type_names(engine, broker.deployment_mode)
        self.fields["hostInstanceType"].choices = [(n, n) for n in names]
        self.fields["maintenanceDay"].choices = [(d, d.title()) for d in engines.enum("DayOfWeek")]
        if engine != "ACTIVEMQ":
            del self.fields["logsAudit"]
        choices = [("", "Keep the current configuration")]
        for configuration in Configuration.objects.filter(
            account=broker.account, region=broker.region, engine_type=engine
        ).order_by("name"):
            for number in range(configuration.latest_revision, 0, -1):
                choices.append(
                    (
                        f"{configuration.configuration_id}:{number}",
                        f"{configuration.name}, revision {number}",
                    )
                )
        self.fields["configuration"].choices = choices


class ConfigurationCreateForm(RuleForm):
    name = forms.CharField(
        label="Configuration name", max_length=150, help_text="Letters, digits, - and _"
    )
    engineType = forms.ChoiceField(label="Broker engine")
    engineVersion = forms.CharField(
        label="Engine version", required=False, help_text="Empty: the newest version."
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: key=value",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineType"].choices = _engine_choices()

    def clean(self):
        data = super().clean()
        try:
            data["tag_map"] = parse_tags(data.get("tags", ""))
        except ValueError as error:
            self.add_error("tags", str(error))
        return data


class ConfigurationUpdateForm(RuleForm):
    # Not "data": a Form's ``data`` attribute is its bound input.
    field_aliases = {"data": "document"}

    document = forms.CharField(
        label="Configuration document",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "font-monospace"}),
    )
    description = forms.CharField(label="Revision description", required=False, max_length=1000)


class ApplyConfigurationForm(RuleForm):
    broker = forms.ChoiceField(label="Broker")
