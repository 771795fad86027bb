"""The create-broker wizard: engine → mode → instance → access → users → tags → review.

Each step validates its own fields with the same rules the service applies, and keeps what
was entered in the session (server side, so the broker user's password never goes back into
the page). The review step calls ``broker_create``, which authorizes mq:CreateBroker, the
request tags, mq:CreateTags and the service-linked role before it writes anything.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.errors import IAMError
from brokers import engines, services
from brokers.forms import (
    AccessStepForm,
    EngineStepForm,
    InstanceStepForm,
    ModeStepForm,
    TagsForm,
    UserStepForm,
)
from brokers.templatetags.brokers_tags import mode_label
from brokers.views.common import BrokerPageView
from config.forms import format_tags

SESSION_KEY = "brokers.create-wizard"
STEPS = [
    ("engine", "Engine"),
    ("mode", "Deployment"),
    ("instance", "Instance"),
    ("access", "Access and settings"),
    ("users", "Users"),
    ("tags", "Tags"),
    ("review", "Review"),
]
STEP_NAMES = [name for name, _ in STEPS]
# Which stored fields each step owns: a step counts as done once its fields are stored.
STEP_FIELDS = {
    "engine": ("engineType",),
    "mode": ("deploymentMode",),
    "instance": ("hostInstanceType",),
    "access": ("maintenanceDay",),
    "users": ("username",),
    "tags": ("tags",),
}


class BrokerCreateView(BrokerPageView):
    """One view for every step; ``step`` is in the URL."""

    template_name = "brokers/broker_create.html"

    def data(self) -> dict:
        return self.request.session.get(SESSION_KEY, {})

    def store(self, values: dict) -> None:
        data = {**self.data(), **values}
        self.request.session[SESSION_KEY] = data

    def first_missing(self) -> str:
        data = self.data()
        for name in STEP_NAMES[:-1]:
            if not all(key in data for key in STEP_FIELDS[name]):
                return name
        return "review"

    def form_for(self, step: str, post=None, initial=None):
        data = self.data()
        engine = data.get("engineType", "ACTIVEMQ")
        initial = initial or {}
        if step == "engine":
            chosen = self.request.GET.get("engineType") or initial.get("engineType")
            if chosen and chosen != data.get("engineType"):
                initial = {"engineType": chosen}
            return EngineStepForm(post, initial=initial, engine_type=chosen or engine)
        if step == "mode":
            return ModeStepForm(post, initial=initial, engine_type=engine)
        if step == "instance":
            return InstanceStepForm(
                post, initial=initial, engine_type=engine, deployment_mode=data["deploymentMode"]
            )
        if step == "access":
            return AccessStepForm(
                post,
                initial=initial,
                engine_type=engine,
                engine_version=data["engineVersion"],
                account=self.account(),
                region=self.region,
            )
        if step == "users":
            return UserStepForm(post, initial=initial, engine_type=engine)
        if step == "tags":
            return TagsForm(post, initial=initial)
        return None

    def render_step(self, step: str, form, status: int = 200):
        data = self.data()
        index = STEP_NAMES.index(step)
        reachable = STEP_NAMES.index(self.first_missing())
        context = {
            "step": step,
            "step_label": dict(STEPS)[step],
            "steps": [
                {"name": n, "label": label, "number": i + 1, "reachable": i <= reachable}
                for i, (n, label) in enumerate(STEPS)
            ],
            "step_number": index + 1,
            "previous": STEP_NAMES[index - 1] if index else None,
            "form": form,
            "data": data,
            "engine_label": engines.engine_label(data.get("engineType", "")),
            "summary": _summary(data) if step == "review" else None,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, step: str = "engine"):
        if step == "start":
            request.session.pop(SESSION_KEY, None)
            return redirect("broker-create", "engine")
        if step not in STEP_NAMES:
            return redirect("broker-create", "engine")
        missing = self.first_missing()
        if STEP_NAMES.index(step) > STEP_NAMES.index(missing):
            return redirect("broker-create", missing)
        initial = {k: v for k, v in self.data().items() if k != "password"}
        if step == "users" and "password" in self.data():
            initial["password"] = self.data()["password"]
        if step == "users":
            initial["groups"] = ", ".join(self.data().get("groups", []))
        if step == "tags":
            initial["tags"] = format_tags(self.data().get("tags", {}))
        return self.render_step(step, self.form_for(step, initial=initial))

    def post(self, request, step: str = "engine"):
        if step not in STEP_NAMES or STEP_NAMES.index(step) > STEP_NAMES.index(
            self.first_missing()
        ):
            return redirect("broker-create", self.first_missing())
        if step == "review":
            return self.create()
        form = self.form_for(step, post=request.POST)
        if not form.is_valid():
            return self.render_step(step, form, status=400)
        values = dict(form.cleaned_data)
        if step == "engine" and values["engineType"] != self.data().get("engineType"):
            # A different engine invalidates every later choice.
            request.session[SESSION_KEY] = {}
        if step == "tags":
            values = {"tags": values["tag_map"]}
        self.store(values)
        return redirect("broker-create", STEP_NAMES[STEP_NAMES.index(step) + 1])

    def create(self):
        data = self.data()
        users = [
            {
                "username": data["username"],
                "password": data["password"],
                "consoleAccess": data.get("consoleAccess", False),
                "groups": data.get("groups", []),
            }
        ]
        configuration = {"id": data["configuration"]} if data.get("configuration") else None
        try:
            broker = services.broker_create(
                actor=self.actor(),
                account=self.account(),
                region=self.region,
                name=data["brokerName"],
                engine_type=data["engineType"],
                engine_version=data["engineVersion"],
                deployment_mode=data["deploymentMode"],
                host_instance_type=data["hostInstanceType"],
                storage_type=data["storageType"],
                publicly_accessible=data.get("publiclyAccessible", False),
                auto_minor_version_upgrade=data.get("autoMinorVersionUpgrade", True),
                logs={"general": data.get("logsGeneral"), "audit": data.get("logsAudit", False)},
                encryption_options=(
                    {"useAwsOwnedKey": False, "kmsKeyId": data["kmsKeyId"]}
                    if data.get("kmsKeyId")
                    else {"useAwsOwnedKey": True}
                ),
                maintenance_window={
                    "dayOfWeek": data["maintenanceDay"],
                    "timeOfDay": data["maintenanceTime"],
                    "timeZone": data["maintenanceTimeZone"],
                },
                configuration=configuration,
                users=users,
                tags=data.get("tags") or None,
                authz=self.authz(),
            )
        except IAMError as error:
            step = _step_of(error)
            messages.error(self.request, error.message)
            return redirect(reverse("broker-create", args=[step]))
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, f"Creating broker {broker.name}. This takes a little while.")
        return redirect("broker-detail", broker.broker_id)


def _step_of(error: IAMError) -> str:
    """The wizard step that owns the attribute a service error names."""
    attribute = next(iter(error.fields or {}), "")
    for step, attributes in {
        "engine": ("engineType", "engineVersion"),
        "mode": ("brokerName", "deploymentMode"),
        "instance": ("hostInstanceType", "storageType", "storageSize"),
        "users": ("users", "username", "password", "groups"),
        "tags": ("tags",),
    }.items():
        if attribute in attributes:
            return step
    return "access"


def _summary(data: dict) -> list[tuple[str, str]]:
    engine = data.get("engineType", "")
    rows = [
        ("Engine", f"{engines.engine_label(engine)} {data.get('engineVersion', '')}"),
        ("Broker name", data.get("brokerName", "")),
        ("Deployment mode", mode_label(data.get("deploymentMode", ""))),
        ("Instance type", data.get("hostInstanceType", "")),
        ("Storage", data.get("storageType", "")),
        ("Public accessibility", "Yes" if data.get("publiclyAccessible") else "No"),
        (
            "Maintenance window",
            f"{data.get('maintenanceDay', '').title()} {data.get('maintenanceTime', '')} "
            f"{data.get('maintenanceTimeZone', '')}",
        ),
        ("Automatic minor upgrades", "Yes" if data.get("autoMinorVersionUpgrade") else "No"),
        ("Configuration", data.get("configuration") or "Default"),
        ("Broker user", data.get("username", "")),
        ("Tags", ", ".join(f"{k}={v}" for k, v in (data.get("tags") or {}).items()) or "None"),
    ]
    if engine == "ACTIVEMQ":
        rows.insert(-1, ("Console access", "Yes" if data.get("consoleAccess") else "No"))
    return rows
