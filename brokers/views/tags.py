"""Editing the tags of a broker or configuration: CreateTags for new or changed keys,
DeleteTags for removed ones, each authorized on its own."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.errors import IAMError
from brokers import services
from brokers.errors import NotFound
from brokers.forms import TagsForm
from brokers.views.common import BrokerPageView
from config.forms import format_tags


class TagsUpdateView(BrokerPageView):
    """``kind`` is broker or configuration; the resource is found by its id."""

    template_name = "brokers/tags_update.html"
    kind = "broker"

    def resource(self, resource_id: str):
        if self.kind == "broker":
            return self.broker(resource_id)
        return self.configuration(resource_id)

    def get(self, request, resource_id: str):
        resource = self.resource(resource_id)
        self.require("mq:ListTags", resource)
        form = TagsForm(initial={"tags": format_tags(resource.tags)})
        return render(request, self.template_name, self._context(resource, form))

    def _context(self, resource, form) -> dict:
        return {"resource": resource, "kind": self.kind, "form": form}

    def post(self, request, resource_id: str):
        resource = self.resource(resource_id)
        form = TagsForm(request.POST)
        if form.is_valid():
            wanted = form.cleaned_data["tag_map"]
            changed = {k: v for k, v in wanted.items() if resource.tags.get(k) != v}
            removed = [k for k in resource.tags if k not in wanted]
            authz = self.authz(resource.region)
            try:
                if removed:
                    services.tags_delete(
                        actor=self.actor(), resource=resource, keys=removed, authz=authz
                    )
                if changed:
                    services.tags_create(
                        actor=self.actor(), resource=resource, tags=changed, authz=authz
                    )
            except NotFound:
                raise
            except IAMError as error:
                form.apply_error(error)
            else:
                messages.success(request, f"Tags of {resource.name} saved.")
                return redirect(resource.get_absolute_url())
        return render(request, self.template_name, self._context(resource, form), status=400)
