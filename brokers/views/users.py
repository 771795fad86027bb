"""Broker user pages: create, edit and delete ActiveMQ users (pending until reboot)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.errors import IAMError
from brokers import describe, services
from brokers.errors import NotFound
from brokers.forms import BrokerUserForm
from brokers.services.users import broker_user_get
from brokers.views.common import BrokerPageView


class BrokerUserCreateView(BrokerPageView):
    """CreateUser: the user appears with a pending CREATE badge until the broker reboots."""

    template_name = "brokers/broker_user_form.html"

    def get(self, request, broker_id: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeBroker", broker)
        form = BrokerUserForm()
        return render(request, self.template_name, {"broker": broker, "form": form})

    def post(self, request, broker_id: str):
        broker = self.broker(broker_id)
        form = BrokerUserForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.broker_user_create(
                    actor=self.actor(),
                    broker=broker,
                    username=data["username"],
                    password=data["password"],
                    console_access=data["consoleAccess"],
                    groups=data["group_list"],
                    authz=self.authz(broker.region),
                )
            except NotFound:
                raise
            except IAMError as error:
                form.apply_error(error)
            else:
                messages.success(
                    request,
                    f"User {data['username']} will be created when broker {broker.name} reboots.",
                )
                return redirect("broker-detail", broker.broker_id)
        context = {"broker": broker, "form": form}
        return render(request, self.template_name, context, status=400)


class BrokerUserUpdateView(BrokerPageView):
    """UpdateUser: new console access, groups or password, pending until reboot."""

    template_name = "brokers/broker_user_form.html"

    def get(self, request, broker_id: str, username: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeUser", broker)
        user = broker_user_get(broker=broker, username=username)
        groups = user.pending_groups if user.pending_groups is not None else user.groups
        access = user.pending_console_access
        initial = {
            "username": user.username,
            "consoleAccess": user.console_access if access is None else access,
            "groups": ", ".join(groups),
        }
        form = BrokerUserForm(initial=initial, updating=True)
        context = {"broker": broker, "form": form, "user": describe.user_description(user)}
        return render(request, self.template_name, context)

    def post(self, request, broker_id: str, username: str):
        broker = self.broker(broker_id)
        form = BrokerUserForm(request.POST, initial={"username": username}, updating=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.broker_user_update(
                    actor=self.actor(),
                    broker=broker,
                    username=username,
                    password=data["password"] or None,
                    console_access=data["consoleAccess"],
                    groups=data["group_list"],
                    authz=self.authz(broker.region),
                )
            except NotFound:
                raise
            except IAMError as error:
                form.apply_error(error)
            else:
                messages.success(
                    request, f"Changes to {username} apply when broker {broker.name} reboots."
                )
                return redirect("broker-detail", broker.broker_id)
        context = {"broker": broker, "form": form}
        return render(request, self.template_name, context, status=400)


class BrokerUserDeleteView(BrokerPageView):
    """DeleteUser after confirmation: pending DELETE until reboot."""

    template_name = "brokers/broker_user_delete.html"

    def get(self, request, broker_id: str, username: str):
        broker = self.broker(broker_id)
        self.require("mq:DescribeUser", broker)
        user = broker_user_get(broker=broker, username=username)
        return render(request, self.template_name, {"broker": broker, "user": user})

    def post(self, request, broker_id: str, username: str):
        broker = self.broker(broker_id)
        try:
            user = services.broker_user_delete(
                actor=self.actor(),
                broker=broker,
                username=username,
                authz=self.authz(broker.region),
            )
        except NotFound:
            raise
        except IAMError as error:
            messages.error(request, error.message)
            return redirect("broker-detail", broker.broker_id)
        if user is None:
            messages.success(request, f"User {username} removed (it was never created).")
        else:
            messages.success(
                request, f"User {username} will be deleted when broker {broker.name} reboots."
            )
        return redirect("broker-detail", broker.broker_id)
