"""Broker pages: list, detail with live state, edit (UpdateBroker), reboot, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tables2 import RequestConfig

from accounts.errors import IAMError
from brokers import engines, selectors, services
from brokers.errors import NotFound
from brokers.filters import BrokerFilter
from brokers.forms import BrokerUpdateForm
from brokers.models import Configuration
from brokers.services.lifecycle import transition_progress
from brokers.services.updates import broker_update
from brokers.tables import BrokerTable
from brokers.views.common import BrokerPageView
from policies.permissions import IAMActionMixin


class BrokerListView(IAMActionMixin, BrokerPageView):
    """Every broker of the account with state badges and filters (mq:ListBrokers)."""

    iam_action = "mq:ListBrokers"

    def get(self, request):
        brokers_filter = BrokerFilter(
            request.GET, queryset=selectors.broker_list(principal=request.principal)
        )
        table = BrokerTable(brokers_filter.qs)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        busy = any(row.record.in_progress for row in table.paginated_rows)
        context = {"filter": brokers_filter, "table": table, "busy": busy}
        return render(request, "brokers/broker_list.html", context)


class BrokerDetailView(BrokerPageView):
    """Summary, connections, users with pending changes, configuration, tags."""

    def get(self, request, broker_id: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeBroker", broker)
        can_list_users = self.allowed("mq:ListUsers", broker)
        users = list(selectors.broker_user_list(broker=broker)) if can_list_users else []
        pending = dict(broker.pending)
        pending_configuration = pending.pop("configuration", None)
        if pending_configuration:
            pending_configuration = {
                **pending_configuration,
                "object": Configuration.objects.filter(
                    configuration_id=pending_configuration["id"]
                ).first(),
            }
        context = {
            "broker": broker,
            "instances": broker.instances(),
            "users": users,
            "can_list_users": can_list_users,
            "pending_settings": pending,
            "pending_configuration": pending_configuration,
            "pending_users": sum(1 for u in users if u.pending_change),
            "progress": transition_progress(broker),
            "engine_label": engines.engine_label(broker.engine_type),
        }
        return render(request, "brokers/broker_detail.html", context)


class BrokerStateView(BrokerPageView):
    """The live state card (htmx polls it while a transition runs)."""

    def get(self, request, broker_id: str):
        try:
            broker = self.broker(broker_id)
        except NotFound:
            watched_deletion = request.GET.get("was") == "DELETION_IN_PROGRESS"
            if not watched_deletion or not selectors.broker_was_deleted(
                principal=request.principal, broker_id=broker_id
            ):
                raise  # only a broker this account deleted may be announced as deleted
            # The deletion finished: send the browser back to the list.
            messages.success(request, f"Broker {broker_id} deleted.")
            response = HttpResponse(status=200)
            response["HX-Redirect"] = reverse("broker-list")
            return response
        self.require("mq:DescribeBroker", broker)
        was = request.GET.get("was")
        if was and was != broker.state:
            # The transition ended: reload so users and pending changes show what it applied.
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        context = {"broker": broker, "progress": transition_progress(broker)}
        return render(request, "brokers/_broker_state.html", context)


class BrokerRebootView(BrokerPageView):
    """Confirm, then RebootBroker: pending users and settings apply when it is back."""

    template_name = "brokers/broker_reboot.html"

    def get(self, request, broker_id: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeBroker", broker)
        return render(request, self.template_name, self._context(broker))

    def _context(self, broker) -> dict:
        users = selectors.broker_user_list(broker=broker).exclude(pending_change="")
        return {"broker": broker, "pending_users": users, "pending_settings": broker.pending}

    def post(self, request, broker_id: str):
        broker = self.broker(broker_id)
        try:
            services.broker_reboot(
                actor=self.actor(), broker=broker, authz=self.authz(broker.region)
            )
        except NotFound:
            raise
        except IAMError as error:
            messages.error(request, error.message)
            return render(request, self.template_name, self._context(broker), status=400)
        messages.success(request, f"Rebooting broker {broker.name}.")
        return redirect("broker-detail", broker.broker_id)


class BrokerDeleteView(BrokerPageView):
    """Confirm by typing the broker name, then DeleteBroker (DELETION_IN_PROGRESS → gone)."""

    template_name = "brokers/broker_delete.html"

    def get(self, request, broker_id: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeBroker", broker)
        return render(request, self.template_name, {"broker": broker})

    def post(self, request, broker_id: str):
        broker = self.broker(broker_id)
        if request.POST.get("confirm") != broker.name:
            messages.error(request, f"Type the broker name {broker.name} to confirm.")
            return render(request, self.template_name, {"broker": broker}, status=400)
        try:
            services.broker_delete(
                actor=self.actor(), broker=broker, authz=self.authz(broker.region)
            )
        except NotFound:
            raise
        except IAMError as error:
            messages.error(request, error.message)
            return render(request, self.template_name, {"broker": broker}, status=400)
        messages.success(request, f"Deleting broker {broker.name}.")
        return redirect("broker-detail", broker.broker_id)


class BrokerUpdateView(BrokerPageView):
    """UpdateBroker: engine version, instance type, configuration, logs become pending."""

    template_name = "brokers/broker_update.html"

    def _initial(self, broker) -> dict:
        return {
            "engineVersion": broker.pending.get("engineVersion", broker.engine_version),
            "hostInstanceType": broker.pending.get("hostInstanceType", broker.host_instance_type),
            "autoMinorVersionUpgrade": broker.auto_minor_version_upgrade,
            "maintenanceDay": broker.maintenance_day,
            "maintenanceTime": broker.maintenance_time,
            "maintenanceTimeZone": broker.maintenance_time_zone,
            "logsGeneral": broker.pending.get("logs", {}).get("general", broker.logs_general),
            "logsAudit": broker.pending.get("logs", {}).get("audit", broker.logs_audit),
        }

    def get(self, request, broker_id: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeBroker", broker)
        initial = self._initial(broker)
        wanted = request.GET.get("configuration")
        if wanted:
            initial["configuration"] = wanted
        form = BrokerUpdateForm(initial=initial, broker=broker)
        return render(request, self.template_name, {"broker": broker, "form": form})

    def post(self, request, broker_id: str):
        broker = self.broker(broker_id)
        form = BrokerUpdateForm(request.POST, broker=broker)
        if form.is_valid():
            data = form.cleaned_data
            configuration = None
            if data.get("configuration"):
                configuration_id, _, revision = data["configuration"].partition(":")
                configuration = {"id": configuration_id, "revision": int(revision)}
            logs = {"general": data["logsGeneral"]}
            if "logsAudit" in data:
                logs["audit"] = data["logsAudit"]
            try:
                broker_update(
                    actor=self.actor(),
                    broker=broker,
                    authz=self.authz(broker.region),
                    engine_version=data["engineVersion"],
                    host_instance_type=data["hostInstanceType"],
                    configuration=configuration,
                    auto_minor_version_upgrade=data["autoMinorVersionUpgrade"],
                    maintenance_window={
                        "dayOfWeek": data["maintenanceDay"],
                        "timeOfDay": data["maintenanceTime"],
                        "timeZone": data["maintenanceTimeZone"],
                    },
                    logs=logs,
                )
            except NotFound:
                raise
            except IAMError as error:
                form.apply_error(error)
            else:
                messages.success(
                    request,
                    f"Broker {broker.name} updated. Changes marked pending apply when the broker "
                    "reboots or at its maintenance window.",
                )
                return redirect("broker-detail", broker.broker_id)
        return render(request, self.template_name, {"broker": broker, "form": form}, status=400)
