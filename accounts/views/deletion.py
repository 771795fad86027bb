"""The confirmation page of deleting a user, group or role (steps: accounts.services.deletion)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from accounts.errors import IAMError
from policies.permissions import check, render_denied


class ConfirmDeleteView(View):
    """Confirm by typing the name, optionally remove what blocks deletion, then delete."""

    template_name = ""
    entity = ""  # user | group | role, as the messages name it
    read_action = ""  # what showing the confirmation page needs, e.g. iam:GetUser
    list_url = ""  # where a deletion leads

    def get_object(self, request, name: str):
        raise NotImplementedError

    def get_context(self, obj) -> dict:
        raise NotImplementedError

    def read_keys(self, obj) -> dict:
        """Keyword arguments of ``check`` for ``read_action`` besides the ARN."""
        return {}

    def perform_delete(self, request, obj, *, remove_blockers: bool) -> None:
        raise NotImplementedError

    def error_status(self, error: IAMError) -> int:
        return 409

    def get(self, request, name: str):
        obj = self.get_object(request, name)
        result = check(request, self.read_action, obj.arn, **self.read_keys(obj))
        if not result.allowed:
            return render_denied(request, result)
        return render(request, self.template_name, self.get_context(obj))

    def post(self, request, name: str):
        obj = self.get_object(request, name)
        if request.POST.get("confirm") != obj.name:
            messages.error(request, f"Type the {self.entity} name {obj.name} to confirm.")
            return render(request, self.template_name, self.get_context(obj), status=400)
        try:
            self.perform_delete(
                request, obj, remove_blockers=bool(request.POST.get("remove_blockers"))
            )
        except IAMError as error:
            messages.error(request, error.message)
            return render(
                request, self.template_name, self.get_context(obj), status=self.error_status(error)
            )
        messages.success(request, f"{self.entity.capitalize()} {obj.name} deleted.")
        return redirect(self.list_url)
