"""Console pages answering from the matrix: what can P do, who can do A on R, the graph."""

from __future__ import annotations

import csv

from celery.result import AsyncResult
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from accounts.errors import AWSError
from accounts.models import Account, IAMUser, Role
from config.forms import parse_tags
from policies.authorization import actor_for
from policies.effective import preview, queries
from policies.effective.actions import matrix_action, matrix_actions
from policies.effective.changes import resolve
from policies.effective.graph import graph_for_principal, graph_for_resource
from policies.effective.preview import BlastRadius
from policies.models import MatrixResource, PreviewJob
from policies.permissions import check, render_denied

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


def _principal(request, kind: str, name: str):
    model = {"user": IAMUser, "role": Role}.get(kind)
    if model is None:
        raise Http404("Unknown principal type.")
    found = (
        model.objects.select_related("account")
        .filter(account__account_id=request.principal.account_id, name__iexact=name)
        .first()
    )
    if found is None:
        raise Http404(f"The {kind} with name {name} cannot be found.")
    return found


def _account(request) -> Account:
    return Account.objects.get(account_id=request.principal.account_id)


class FreshnessView(View):
    """The 'current / K changes pending' badge with the recompute progress (htmx-polled)."""

    def get(self, request):
        info = queries.freshness(_account(request).pk)
        return render(request, "policies/effective/_freshness.html", {"freshness": info})


class PrincipalMatrixView(View):
    """What can this user or role do, on every broker and configuration of the account."""

    template_name = "policies/effective/principal_matrix.html"

    def get(self, request, kind: str, name: str):
        subject = _principal(request, kind, name)
        result = check(request, "iam:SimulatePrincipalPolicy", subject.arn)
        if not result.allowed:
            return render_denied(request, result)
        kinds = set(request.GET.getlist("kind")) or None
        level = request.GET.get("level", "")
        matrix = queries.what_can(
            principal_kind=kind,
            principal_id=subject.pk,
            account_pk=subject.account_id,
            resource_kinds=kinds,
        )
        rows = [r for r in matrix.rows if not level or r["action"].access_level == level]
        if request.GET.get("format") == "csv":
            return _matrix_csv(subject, matrix.resources, rows)
        for row in rows:
            row["counts"] = _counts(row)
        show_all = request.GET.get("all") == "1"
        shown = rows if show_all else [r for r in rows if any(r["counts"].values())]
        return render(
            request,
            self.template_name,
            {
                "subject": subject,
                "kind": kind,
                "resources": matrix.resources,
                "rows": shown,
                "total_rows": len(rows),
                "show_all": show_all,
                "levels": ACCESS_LEVELS,
                "level": level,
                "kinds": kinds or set(),
                "freshness": queries.freshness(subject.account_id),
                "graph_url": _graph_url(principal=f"{kind}:{subject.name}"),
            },
        )


def _counts(row: dict) -> dict:
    """How many resources this action is allowed, conditional or explicitly denied on."""
    counts = {"allowed": 0, "conditional": 0, "explicitDeny": 0}
    for cell in row["cells"]:
        if cell["value"] in counts:
            counts[cell["value"]] += 1
    return counts


def _graph_url(**query) -> str:
    return f"{reverse('access-graph-data')}?{urlencode(query)}"


def _matrix_csv(subject, resources, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{subject.name}-permissions.csv"'
    writer = csv.writer(response)
    writer.writerow(["action", "resource", "decision"])
    for row in rows:
        for cell in row["cells"]:
            if cell["value"] is not None:
                writer.writerow([row["action"].name, cell["resource"].arn, cell["value"]])
    return response


class CellView(View):
    """One cell's provenance: the statements that decide it and how they reach the principal."""

    template_name = "policies/effective/cell.html"

    def get(self, request, kind: str, name: str):
        subject = _principal(request, kind, name)
        result = check(request, "iam:SimulatePrincipalPolicy", subject.arn)
        if not result.allowed:
            return render_denied(request, result)
        action = matrix_action(request.GET.get("action", ""))
        resource_arn = request.GET.get("resource", "")
        if action is None:
            raise Http404("Unknown action.")
        resource = MatrixResource.objects.filter(
            account_id=subject.account_id, arn=resource_arn, deleted_at__isnull=True
        ).first()
        if resource is None:
            raise Http404("Unknown resource.")
        row = queries.stored_row(kind, subject.pk, action.name)
        value = queries.cell_value(row, resource.position)
        sources = queries.cell_sources(row, resource.position)
        return render(
            request,
            self.template_name,
            {
                "subject": subject,
                "kind": kind,
                "action": action,
                "resource": resource,
                "value": value,
                "sources": sources,
            },
        )


class WhoCanView(View):
    """Who can do an action on a resource, with the path that grants it."""

    template_name = "policies/effective/who_can.html"

    def get(self, request):
        account = _account(request)
        result = check(request, "iam:GetAccountAuthorizationDetails", "*")
        if not result.allowed:
            return render_denied(request, result)
        resources = list(
            MatrixResource.objects.filter(account=account, deleted_at__isnull=True).order_by(
                "kind", "name"
            )
        )
        action_name = request.GET.get("action", "mq:RebootBroker")
        resource_arn = request.GET.get("resource", "")
        rows = []
        if action_name and resource_arn:
            rows = queries.who_can(
                account_pk=account.pk, action=action_name, resource_arn=resource_arn
            )
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="who-can.csv"'
            writer = csv.writer(response)
            writer.writerow(["principal", "decision", "policy", "statement", "via"])
            for row in rows:
                for source in row["sources"] or [{}]:
                    writer.writerow(
                        [
                            row["principal_arn"],
                            row["decision"],
                            source.get("policy", ""),
                            source.get("sid") or source.get("statement", ""),
                            source.get("via_name") or source.get("via", ""),
                        ]
                    )
            return response
        return render(
            request,
            self.template_name,
            {
                "actions": matrix_actions(),
                "resources": resources,
                "action": action_name,
                "resource_arn": resource_arn,
                "rows": rows,
                "freshness": queries.freshness(account.pk),
                "graph_url": _graph_url(resource=resource_arn),
            },
        )


class GraphDataView(View):
    """JSON nodes and edges for the access graph of a resource, or of a principal
    (``?principal=user:NAME``), drawn with Cytoscape."""

    def get(self, request):
        if request.GET.get("principal"):
            kind, _, name = request.GET["principal"].partition(":")
            subject = _principal(request, kind, name)
            result = check(request, "iam:SimulatePrincipalPolicy", subject.arn)
            if not result.allowed:
                return JsonResponse({"error": result.message}, status=403)
            return JsonResponse(
                graph_for_principal(
                    principal_kind=kind, principal_id=subject.pk, principal_arn=subject.arn
                )
            )
        account = _account(request)
        result = check(request, "iam:GetAccountAuthorizationDetails", "*")
        if not result.allowed:
            return JsonResponse({"error": result.message}, status=403)
        return JsonResponse(
            graph_for_resource(
                account_pk=account.pk,
                resource_arn=request.GET.get("resource", ""),
                action=request.GET.get("action") or None,
            )
        )


def change_from_form(data) -> dict:
    """A change description (policies.effective.changes) from a console form's fields."""
    kind = data.get("change_type", "")
    change: dict = {"type": kind}
    identity = None
    if data.get("target"):
        identity_kind, _, identity_name = data["target"].partition(":")
        identity = {"kind": identity_kind, "name": identity_name}
    elif data.get("identity_kind"):
        identity = {"kind": data["identity_kind"], "name": data.get("identity_name", "")}
    if identity:
        change["identity"] = identity
    for field in ("policy_arn", "document", "name", "group", "user"):
        if data.get(field) not in (None, ""):
            change[field] = data[field]
    if data.get("user_name") and "user" not in change:  # the group page's member field
        change["user"] = data["user_name"]
    if kind in ("tag_user", "tag_role"):
        change["tags"] = parse_tags(data.get("tags", ""))
    return change


def impact_context(request, change: dict) -> dict:
    """``{"radius": …}`` for ``_blast_radius.html``: the cells ``change`` would gain or lose,
    computed by performing it in a savepoint that is rolled back; ``{"error": …}`` when the
    signed-in principal may not make the change or the change is invalid."""
    account = _account(request)
    try:
        resolved = resolve(account, actor_for(request), change)
        result = check(
            request, resolved.action, resolved.resource_arn, extra=resolved.extra_context
        )
        if not result.allowed:
            return {"error": result.message}
        return {
            "radius": preview.blast_radius(
                account, resolved.apply, sync_limit=preview.preview_limit()
            )
        }
    except preview.PreviewTooLarge as large:
        # Too many principals to compute during the request: the worker does it, with progress.
        job = preview.preview_job_start(
            account=account,
            requested_by=request.principal.arn,
            change=change,
            principals=large.principals,
        )
        return {"job": job, "done": 0, "total": 2 * large.principals}
    except (AWSError, ValueError) as error:  # a denial of any step, or an invalid change
        return {"error": getattr(error, "message", str(error))}


class PreviewJobView(View):
    """htmx: a worker-computed blast radius — progress while it runs, then the radius."""

    def get(self, request, job_id):
        job = PreviewJob.objects.filter(
            pk=job_id,
            account__account_id=request.principal.account_id,
            requested_by=request.principal.arn,  # only whoever asked reads it
        ).first()
        if job is None:
            raise Http404("No such preview.")
        if job.status == PreviewJob.Status.DONE:
            context = {"radius": BlastRadius.from_dict(job.result)}
        elif job.status == PreviewJob.Status.FAILED:
            context = {"error": job.error}
        else:
            state = AsyncResult(job.task_id) if job.task_id else None
            info = state.info if state is not None and state.state == "PROGRESS" else {}
            context = {
                "job": job,
                "done": info.get("done", 0),
                "total": info.get("total", 2 * job.principals),
            }
        return render(request, "policies/effective/_blast_radius.html", context)


class BlastRadiusView(View):
    """htmx: the cells a form's change would gain or lose, before it is saved."""

    def post(self, request):
        context = impact_context(request, change_from_form(request.POST))
        return render(request, "policies/effective/_blast_radius.html", context)


KEY_BROKER_ACTIONS = (
    "mq:DescribeBroker",
    "mq:RebootBroker",
    "mq:UpdateBroker",
    "mq:CreateUser",
    "mq:DeleteBroker",
)


class ResourceAccessView(View):
    """htmx card: who can act on a broker, per key action, from the matrix."""

    def get(self, request):
        account = _account(request)
        resource_arn = request.GET.get("resource", "")
        result = check(request, "iam:GetAccountAuthorizationDetails", "*")
        context = {"resource_arn": resource_arn, "freshness": queries.freshness(account.pk)}
        if not result.allowed:
            context["denied"] = result.message
        else:
            context["rows"] = [
                {
                    "action": action,
                    "principals": queries.who_can(
                        account_pk=account.pk,
                        action=action,
                        resource_arn=resource_arn,
                        with_sources=False,
                    ),
                }
                for action in KEY_BROKER_ACTIONS
            ]
        # Opened directly (not by the broker page's htmx), the card gets a page around it.
        template = (
            "policies/effective/_resource_access.html"
            if getattr(request, "htmx", False)
            else "policies/effective/resource_access.html"
        )
        return render(request, template, context)


def blockers_impact(request, account, steps: list) -> dict:
    """``_blast_radius.html``'s context for removing what blocks a deletion, ``steps`` being
    ``(IAM action, resource ARN, extra context, call taking actor=)``: what every principal
    gains or loses, computed by running the steps in a savepoint that is rolled back.

    Nothing is previewed for a principal who may not take every step (the page says which
    step is denied), nor in the request for a change touching very many principals.
    """
    if not steps:
        return {}
    for action, arn, extra, _ in steps:
        result = check(request, action, arn, extra=extra)
        if not result.allowed:
            return {"error": result.message}
    actor = actor_for(request)

    def apply() -> None:
        for *_, run in steps:
            run(actor=actor)

    try:
        radius = preview.blast_radius(account, apply, sync_limit=preview.preview_limit())
    except preview.PreviewTooLarge as large:
        return {
            "error": f"Removing these touches {large.principals} principals: too many to "
            "preview here. Review the principals' access on the Access pages after."
        }
    except AWSError as error:  # a step that cannot be taken (e.g. a concurrent change)
        return {"error": error.message}
    return {"radius": radius}
