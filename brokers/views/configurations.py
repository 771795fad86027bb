"""Configuration pages: list, create, detail with revision history, new revision (validated
as you type), revision view and diff, apply a revision to a broker, delete."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tables2 import RequestConfig

from accounts.errors import IAMError
from brokers import documents, engines, selectors, services
from brokers.errors import NotFound
from brokers.filters import ConfigurationFilter
from brokers.forms import ApplyConfigurationForm, ConfigurationCreateForm, ConfigurationUpdateForm
from brokers.models import Broker
from brokers.services.configurations import configuration_users
from brokers.services.updates import broker_update
from brokers.tables import ConfigurationTable
from brokers.views.common import BrokerPageView
from policies.permissions import IAMActionMixin


class ConfigurationListView(IAMActionMixin, BrokerPageView):
    """The account's configurations (mq:ListConfigurations)."""

    iam_action = "mq:ListConfigurations"

    def get(self, request):
        configurations = ConfigurationFilter(
            request.GET, queryset=selectors.configuration_list(principal=request.principal)
        )
        table = ConfigurationTable(configurations.qs)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        context = {"filter": configurations, "table": table}
        return render(request, "brokers/configuration_list.html", context)


class ConfigurationCreateView(BrokerPageView):
    """CreateConfiguration: revision 1 is the engine's default document."""

    template_name = "brokers/configuration_create.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ConfigurationCreateForm()})

    def post(self, request):
        form = ConfigurationCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                configuration = services.configuration_create(
                    actor=self.actor(),
                    account=self.account(),
                    region=self.region,
                    name=data["name"],
                    engine_type=data["engineType"],
                    engine_version=data["engineVersion"] or None,
                    tags=data["tag_map"] or None,
                    authz=self.authz(),
                )
            except IAMError as error:
                form.apply_error(error)
            else:
                messages.success(request, f"Configuration {configuration.name} created.")
                return redirect(configuration.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class ConfigurationDetailView(BrokerPageView):
    """The latest revision, the revision history and the brokers that use it."""

    def get(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        self.require("mq:DescribeConfiguration", configuration)
        can_list = self.allowed("mq:ListConfigurationRevisions", configuration)
        revisions = list(selectors.revision_list(configuration=configuration)) if can_list else []
        context = {
            "configuration": configuration,
            "latest": selectors.latest_revision(configuration),
            "revisions": revisions,
            "can_list_revisions": can_list,
            "brokers": configuration_users(configuration).select_related("account"),
            "engine_label": engines.engine_label(configuration.engine_type),
        }
        return render(request, "brokers/configuration_detail.html", context)


class ConfigurationUpdateView(BrokerPageView):
    """UpdateConfiguration: save the edited document as the next revision."""

    template_name = "brokers/configuration_update.html"

    def get(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        self.require("mq:DescribeConfiguration", configuration)
        latest = selectors.latest_revision(configuration)
        form = ConfigurationUpdateForm(initial={"document": latest.data})
        context = {"configuration": configuration, "form": form, "latest": latest}
        return render(request, self.template_name, context)

    def post(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        form = ConfigurationUpdateForm(request.POST)
        if form.is_valid():
            try:
                revision = services.configuration_update(
                    actor=self.actor(),
                    configuration=configuration,
                    data=form.cleaned_data["document"],
                    description=form.cleaned_data["description"] or None,
                    authz=self.authz(configuration.region),
                )
            except NotFound:
                raise
            except IAMError as error:
                form.apply_error(error)
            else:
                text = f"Revision {revision.revision} of {configuration.name} saved."
                if revision.warnings:
                    text += f" Amazon MQ removed {len(revision.warnings)} disallowed item(s)."
                messages.success(request, text)
                return redirect(
                    "configuration-revision", configuration.configuration_id, revision.revision
                )
        context = {
            "configuration": configuration,
            "form": form,
            "latest": selectors.latest_revision(configuration),
        }
        return render(request, self.template_name, context, status=400)


class ConfigurationValidateView(BrokerPageView):
    """Checks the document being edited (htmx, as you type); changes nothing."""

    def post(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        self.require("mq:DescribeConfiguration", configuration)
        context: dict = {"error": None, "warnings": []}
        try:
            document = request.POST.get("document")
            checked = documents.check_document(configuration.engine_type, document)
        except IAMError as error:
            context["error"] = error.message
        else:
            context["warnings"] = [
                {**warning, "line": line}
                for warning, line in zip(checked.warnings, checked.warning_lines, strict=True)
            ]
        return render(request, "brokers/_document_check.html", context)


class RevisionDetailView(BrokerPageView):
    """DescribeConfigurationRevision: one revision's document and what it changed."""

    def get(self, request, configuration_id: str, revision: int):
        configuration = self.configuration(configuration_id)
        self.require("mq:DescribeConfigurationRevision", configuration)
        found = selectors.revision_get(configuration=configuration, revision=revision)
        previous = configuration.revisions.filter(revision=revision - 1).first()
        diff = []
        if previous is not None:
            diff = documents.revision_diff(
                previous.data,
                found.data,
                old_label=f"revision {previous.revision}",
                new_label=f"revision {found.revision}",
            )
        brokers = Broker.objects.filter(account=configuration.account, region=configuration.region)
        context = {
            "configuration": configuration,
            "revision": found,
            "previous": previous,
            "diff": diff,
            "apply_form": _apply_form(configuration, brokers),
        }
        return render(request, "brokers/revision_detail.html", context)


def _apply_form(configuration, brokers) -> ApplyConfigurationForm:
    form = ApplyConfigurationForm()
    form.fields["broker"].choices = [
        (b.broker_id, f"{b.name} ({b.broker_id})")
        for b in brokers.filter(engine_type=configuration.engine_type).order_by("name")
    ]
    return form


class RevisionDiffView(BrokerPageView):
    """Two revisions side by side as a unified diff (?from=&to=)."""

    def get(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        self.require("mq:DescribeConfigurationRevision", configuration)
        latest = configuration.latest_revision
        old_number = request.GET.get("from") or str(max(1, latest - 1))
        new_number = request.GET.get("to") or str(latest)
        old = selectors.revision_get(configuration=configuration, revision=old_number)
        new = selectors.revision_get(configuration=configuration, revision=new_number)
        context = {
            "configuration": configuration,
            "old": old,
            "new": new,
            "numbers": list(range(latest, 0, -1)),
            "diff": documents.revision_diff(
                old.data,
                new.data,
                old_label=f"revision {old.revision}",
                new_label=f"revision {new.revision}",
            ),
        }
        return render(request, "brokers/revision_diff.html", context)


class RevisionApplyView(BrokerPageView):
    """Apply a revision to a broker: UpdateBroker, pending until the broker reboots."""

    def post(self, request, configuration_id: str, revision: int):
        configuration = self.configuration(configuration_id)
        broker = self.broker(request.POST.get("broker", ""))
        try:
            broker_update(
                actor=self.actor(),
                broker=broker,
                authz=self.authz(broker.region),
                configuration={"id": configuration.configuration_id, "revision": revision},
            )
        except NotFound:
            raise
        except IAMError as error:
            messages.error(request, error.message)
            return redirect("configuration-revision", configuration_id, revision)
        messages.success(
            request,
            f"Revision {revision} of {configuration.name} is pending on {broker.name}: it "
            "applies when the broker reboots.",
        )
        return redirect("broker-detail", broker.broker_id)


class ConfigurationDeleteView(BrokerPageView):
    """Confirm, then DeleteConfiguration (refused while a broker uses it)."""

    template_name = "brokers/configuration_delete.html"

    def get(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        self.require("mq:DescribeConfiguration", configuration)
        context = {"configuration": configuration, "brokers": configuration_users(configuration)}
        return render(request, self.template_name, context)

    def post(self, request, configuration_id: str):
        configuration = self.configuration(configuration_id)
        if request.POST.get("confirm") != configuration.name:
            messages.error(request, f"Type the configuration name {configuration.name}.")
            return redirect("configuration-delete", configuration_id)
        try:
            services.configuration_delete(
                actor=self.actor(),
                configuration=configuration,
                authz=self.authz(configuration.region),
            )
        except NotFound:
            raise
        except IAMError as error:
            messages.error(request, error.message)
            return redirect("configuration-delete", configuration_id)
        messages.success(request, f"Configuration {configuration.name} deleted.")
        return redirect(reverse("configuration-list"))
