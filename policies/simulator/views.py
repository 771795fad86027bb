"""The simulator page and its API twin (``POST /api/v1/simulate/``)."""

from __future__ import annotations

import json

from django import forms
from django.shortcuts import render
from django.views import View
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import InvalidInput, MalformedPolicyDocument, NoSuchEntity
from accounts.models import IAMUser, Role
from brokers.models import Broker, Configuration
from config.forms import ConsoleForm
from policies.effective.actions import matrix_actions
from policies.engine import PolicyError
from policies.permissions import check, render_denied, require
from policies.simulator.service import parse_context, principal_for, simulate, simulation_to_dict


def principal_choices(account_id: str) -> list[tuple[str, str]]:
    users = IAMUser.objects.filter(account__account_id=account_id).order_by("name")
    roles = Role.objects.filter(account__account_id=account_id).order_by("name")
    return (
        [("", "No principal: evaluate draft policies only")]
        + [(f"user:{u.name}", f"User {u.name}") for u in users]
        + [(f"role:{r.name}", f"Role {r.name}") for r in roles]
    )


def action_choices() -> list:
    groups: dict[str, list] = {}
    for action in matrix_actions():
        groups.setdefault(f"{action.service} · {action.access_level}", []).append(
            (action.name, action.name)
        )
    return sorted(groups.items())


def resource_choices(account_id: str) -> list:
    brokers = Broker.objects.filter(account__account_id=account_id).select_related("account")
    configs = Configuration.objects.filter(account__account_id=account_id).select_related("account")
    users = IAMUser.objects.filter(account__account_id=account_id).select_related("account")
    roles = Role.objects.filter(account__account_id=account_id).select_related("account")
    return [
        ("Account-wide", [("*", "* (actions without resource types)")]),
        ("Brokers", [(b.arn, f"{b.name} ({b.region})") for b in brokers]),
        ("Configurations", [(c.arn, c.name) for c in configs]),
        ("IAM users", [(u.arn, u.name) for u in users]),
        ("IAM roles", [(r.arn, r.name) for r in roles]),
    ]


class SimulatorForm(ConsoleForm):
    principal = forms.ChoiceField(label="Principal", required=False)
    actions = forms.MultipleChoiceField(
        label="Actions", required=False, widget=forms.SelectMultiple(attrs={"size": 10})
    )
    other_actions = forms.CharField(
        label="Other actions (comma separated)", required=False, max_length=2000
    )
    resources = forms.MultipleChoiceField(
        label="Resources", required=False, widget=forms.SelectMultiple(attrs={"size": 10})
    )
    other_resources = forms.CharField(
        label="Other resource ARNs (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    draft_policy = forms.CharField(
        label="Draft identity policy (optional, JSON)",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "class": "font-monospace-sm", "spellcheck": "false"}
        ),
    )
    draft_boundary = forms.CharField(
        label="Draft permissions boundary (optional, JSON)",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "font-monospace-sm", "spellcheck": "false"}
        ),
    )
    context = forms.CharField(
        label="Context keys (key=value per line; lists as JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace-sm"}),
        help_text="e.g. aws:SourceIp=10.0.0.7, aws:MultiFactorAuthPresent=true, "
        "aws:CurrentTime=2026-11-28T10:00:00Z",
    )

    def __init__(self, *args, account_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principal"].choices = principal_choices(account_id)
        self.fields["actions"].choices = action_choices()
        self.fields["resources"].choices = resource_choices(account_id)

    def clean(self):
        data = super().clean()
        data["all_actions"] = list(data.get("actions") or []) + [
            a.strip() for a in (data.get("other_actions") or "").split(",") if a.strip()
        ]
        data["all_resources"] = list(data.get("resources") or []) + [
            r.strip() for r in (data.get("other_resources") or "").splitlines() if r.strip()
        ]
        if not data["all_actions"]:
            self.add_error("actions", "Choose at least one action.")
        if not data["all_resources"]:
            self.add_error("resources", "Choose at least one resource.")
        if not data.get("principal") and not data.get("draft_policy"):
            self.add_error("principal", "Choose a principal or paste a draft policy.")
        try:
            data["context_map"] = parse_context(data.get("context", ""))
        except ValueError as error:
            self.add_error("context", str(error))
        return data


def _resolve_principal(account_id: str, value: str):
    if not value:
        return None, None
    kind, _, name = value.partition(":")
    model = {"user": IAMUser, "role": Role}.get(kind)
    obj = (
        model
        and model.objects.select_related("account")
        .filter(account__account_id=account_id, name__iexact=name)
        .first()
    )
    if obj is None:
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    return principal_for(kind, obj), obj


class SimulatorView(View):
    """Choose a principal or draft policies, actions, resources and context; see why."""

    template_name = "policies/simulator.html"

    def get(self, request):
        account_id = request.principal.account_id
        initial = {
            "principal": request.GET.get("principal", ""),
            "actions": request.GET.getlist("action"),
            "resources": request.GET.getlist("resource"),
        }
        form = SimulatorForm(initial=initial, account_id=account_id)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        account_id = request.principal.account_id
        form = SimulatorForm(request.POST, account_id=account_id)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        try:
            principal, obj = _resolve_principal(account_id, data["principal"])
        except NoSuchEntity as error:
            form.add_error("principal", error.message)
            return render(request, self.template_name, {"form": form}, status=400)
        action, resource = (
            ("iam:SimulatePrincipalPolicy", obj.arn) if obj else ("iam:SimulateCustomPolicy", "*")
        )
        result = check(request, action, resource)
        if not result.allowed:
            return render_denied(request, result)
        try:
            simulation = simulate(
                principal=principal,
                draft_policies=[data["draft_policy"]] if data["draft_policy"] else [],
                draft_boundary=data["draft_boundary"] or None,
                actions=data["all_actions"],
                resources=data["all_resources"],
                context=data["context_map"],
            )
        except PolicyError as error:
            form.add_error("draft_policy", str(error))
            return render(request, self.template_name, {"form": form}, status=400)
        highlighted = {}
        for r in simulation.results:
            for d in r.deciding:
                if d["line"]:
                    highlighted.setdefault(d["label"], set()).update(
                        range(d["line"], (d["end_line"] or d["line"]) + 1)
                    )
        policies = [
            {
                "label": p.label,
                "layer": p.layer,
                "lines": [
                    {"number": i, "text": line, "hit": i in highlighted.get(p.label, ())}
                    for i, line in enumerate(p.text.splitlines(), start=1)
                ],
            }
            for p in simulation.policies
        ]
        missing = simulation.results[0].missing_context if simulation.results else []
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "simulation": simulation,
                "policies": policies,
                "missing": missing,
                "context_rows": context_rows(simulation),
            },
        )


def _context_text(value) -> str:
    """A context value as the context box takes it back: a string, or a JSON list."""
    return json.dumps(value) if isinstance(value, list) else str(value)


def _short(arn: str) -> str:
    """A resource's name for display: ``orders`` for a broker ARN, the last path part else."""
    parts = arn.split(":")
    if len(parts) >= 8 and parts[2] == "mq":
        return parts[6]
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or arn


def context_rows(simulation) -> list[dict]:
    """The request context of every result, one row per key, value and origin, with the
    resources it applies to when it came from a resource (its tags differ per resource)."""
    rows: dict[tuple, dict] = {}
    for result in simulation.results:
        for entry in result.context_sources():
            text = _context_text(entry["value"])
            row = rows.setdefault(
                (entry["key"], text, entry["source"]),
                {
                    "key": entry["key"],
                    "value": text,
                    "source": entry["source"],
                    "arns": [],
                    "resources": [],
                },
            )
            if entry["source"] == "resource" and result.resource not in row["arns"]:
                row["arns"].append(result.resource)
                row["resources"].append({"arn": result.resource, "label": _short(result.resource)})
    return sorted(rows.values(), key=lambda row: (row["key"].lower(), row["value"]))


class SimulateInputSerializer(serializers.Serializer):
    PolicySourceArn = serializers.CharField(
        required=False, allow_blank=True, help_text="user or role ARN to simulate"
    )
    PolicyInputList = serializers.ListField(child=serializers.CharField(), required=False)
    PermissionsBoundaryPolicyInput = serializers.CharField(required=False, allow_blank=True)
    ResourcePolicy = serializers.CharField(required=False, allow_blank=True)
    ActionNames = serializers.ListField(
        child=serializers.CharField(max_length=128), min_length=1, max_length=100
    )
    ResourceArns = serializers.ListField(
        child=serializers.CharField(max_length=2048), required=False, max_length=100
    )
    ContextEntries = serializers.DictField(required=False)


class SimulateApi(APIView):
    """Simulate with the enforcement engine: decisions per action x resource, explained."""

    @extend_schema(
        summary="Simulate policies",
        request=SimulateInputSerializer,
        responses=dict,
        examples=[
            OpenApiExample(
                "Can alice reboot?",
                request_only=True,
                value={
                    "PolicySourceArn": "arn:aws:iam::111122223333:user/alice",
                    "ActionNames": ["mq:RebootBroker"],
                    "ResourceArns": ["arn:aws:mq:us-east-1:111122223333:broker:orders:b-1"],
                    "ContextEntries": {"aws:MultiFactorAuthPresent": "true"},
                },
            )
        ],
    )
    def post(self, request):
        data = SimulateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        account_id = request.user.account_id
        source = params.get("PolicySourceArn") or ""
        principal, obj = None, None
        if source:
            kind = source.split(":", 5)[-1].split("/", 1)[0]
            name = source.rsplit("/", 1)[-1]
            principal, obj = _resolve_principal(account_id, f"{kind}:{name}")
            if obj.arn != source:
                raise NoSuchEntity(f"{source} cannot be found.")
            require(request, "iam:SimulatePrincipalPolicy", obj.arn, principal=request.user)
        else:
            if not params.get("PolicyInputList"):
                raise InvalidInput("Give PolicySourceArn or PolicyInputList.")
            require(request, "iam:SimulateCustomPolicy", "*", principal=request.user)
        try:
            simulation = simulate(
                principal=principal,
                draft_policies=params.get("PolicyInputList", []),
                draft_boundary=params.get("PermissionsBoundaryPolicyInput") or None,
                actions=params["ActionNames"],
                resources=params.get("ResourceArns") or ["*"],
                context=params.get("ContextEntries") or {},
                resource_policy=params.get("ResourcePolicy") or None,
            )
        except PolicyError as error:
            raise MalformedPolicyDocument(str(error)) from error
        return Response(simulation_to_dict(simulation))
