"""My security credentials: the signed-in identity's access keys and virtual MFA devices."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.errors import IAMError
from accounts.forms import MFAEnableForm, apply_service_error
from accounts.models import IAMUser, MFADevice, RootUser
from accounts.services import access_keys, mfa
from policies.authorization import actor_for
from policies.permissions import require

SHOWN_SECRET_KEY = "mqiam.new-access-key"


def _owner(request) -> IAMUser | RootUser | None:
    principal = request.principal
    if principal.kind == "user":
        return IAMUser.objects.select_related("account").get(pk=principal.pk)
    if principal.kind == "root":
        return RootUser.objects.select_related("account").get(pk=principal.pk)
    return None


def _owner_arn(request) -> str:
    return request.principal.arn


# Pages that may show a new secret access key or an MFA seed: never stored by a browser or
# a proxy (Cache-Control: no-store), so the secret cannot be read back from a cache.
@method_decorator(never_cache, name="dispatch")
class MyCredentialsView(View):
    """Access keys and MFA of the signed-in user (role sessions have no own credentials)."""

    def get(self, request):
        owner = _owner(request)
        if owner is None:
            return render(request, "accounts/my_credentials.html", {"owner": None})
        require(request, "iam:ListAccessKeys", _owner_arn(request))
        new_key = request.session.pop(SHOWN_SECRET_KEY, None)
        keys = owner.access_keys.all()
        devices = MFADevice.objects.filter(
            **({"user": owner} if isinstance(owner, IAMUser) else {"root_user": owner})
        )
        return render(
            request,
            "accounts/my_credentials.html",
            {
                "owner": owner,
                "keys": keys,
                "new_key": new_key,
                "devices": [d for d in devices if d.is_enabled],
                "keys_left": access_keys.ACCESS_KEYS_PER_USER - len(keys),
            },
        )


class AccessKeyCreateView(View):
    """Create a key; its secret is shown once, on the next page load, then forgotten."""

    def post(self, request):
        owner = _owner(request)
        if owner is None:
            return redirect("my-credentials")
        try:
            new = access_keys.access_key_create(actor=actor_for(request), owner=owner)
        except IAMError as error:
            messages.error(request, error.message)
            return redirect("my-credentials")
        request.session[SHOWN_SECRET_KEY] = new.as_aws_json()
        return redirect("my-credentials")


class AccessKeyUpdateView(View):
    """Activate, deactivate or delete one of my keys (delete asks for confirmation first)."""

    def post(self, request, access_key_id: str):
        owner = _owner(request)
        operation = request.POST.get("operation")
        if owner is None or operation not in ("activate", "deactivate", "delete"):
            return redirect("my-credentials")
        try:
            if operation == "delete":
                access_keys.access_key_delete(
                    actor=actor_for(request), owner=owner, access_key_id=access_key_id
                )
                messages.success(request, f"Access key {access_key_id} deleted.")
            else:
                status = "Active" if operation == "activate" else "Inactive"
                access_keys.access_key_set_status(
                    actor=actor_for(request),
                    owner=owner,
                    access_key_id=access_key_id,
                    status=status,
                )
                messages.success(request, f"Access key {access_key_id} is now {status}.")
        except IAMError as error:
            messages.error(request, error.message)
        return redirect("my-credentials")


@method_decorator(never_cache, name="dispatch")
class MFAEnrolView(View):
    """Assign a virtual MFA device: a start page (GET, no state change); POST ``start``
    creates the device and shows its QR code and seed; POST with two consecutive codes
    enables it."""

    template_name = "accounts/mfa_enrol.html"
    SEED_KEY = "mqiam.mfa-enrolment"

    def get(self, request):
        if _owner(request) is None:
            return redirect("my-credentials")
        return render(request, self.template_name, {"start": True})

    def post(self, request):
        if request.POST.get("step") == "start":
            return self._start(request)
        return self._enable(request)

    def _start(self, request):
        owner = _owner(request)
        if owner is None:
            return redirect("my-credentials")
        name = owner.name if isinstance(owner, IAMUser) else "root-account-mfa-device"
        try:
            enrolment = mfa.mfa_device_create(actor=actor_for(request), owner=owner, name=name)
        except IAMError as error:
            messages.error(request, error.message)
            return redirect("my-credentials")
        request.session[self.SEED_KEY] = enrolment.device.pk
        return render(
            request,
            self.template_name,
            {
                "form": MFAEnableForm(),
                "seed": enrolment.seed,
                "qr": enrolment.qr_svg_data_uri(),
                "device": enrolment.device,
            },
        )

    def _enable(self, request):
        owner = _owner(request)
        device_pk = request.session.get(self.SEED_KEY)
        owner_filter = {"user": owner} if isinstance(owner, IAMUser) else {"root_user": owner}
        device = (
            MFADevice.objects.filter(pk=device_pk, **owner_filter).select_related("account").first()
            if owner is not None
            else None
        )
        if owner is None or device is None or device.is_enabled:
            return redirect("my-credentials")
        form = MFAEnableForm(request.POST)
        if form.is_valid():
            try:
                mfa.mfa_device_enable(
                    actor=actor_for(request),
                    device=device,
                    code1=form.cleaned_data["code1"],
                    code2=form.cleaned_data["code2"],
                )
            except IAMError as error:
                apply_service_error(form, error)
            else:
                request.session.pop(self.SEED_KEY, None)
                messages.success(
                    request,
                    "Your virtual MFA device is assigned. You will be "
                    "asked for a code at every sign-in.",
                )
                return redirect("my-credentials")
        enrolment = mfa.mfa_enrolment_resume(device=device, owner=owner)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "seed": enrolment.seed,
                "qr": enrolment.qr_svg_data_uri(),
                "device": device,
            },
            status=400,
        )


class MFADeactivateView(View):
    def post(self, request):
        owner = _owner(request)
        serial = request.POST.get("serial_number", "")
        if owner is None:
            return redirect("my-credentials")
        try:
            mfa.mfa_device_deactivate(actor=actor_for(request), owner=owner, serial_number=serial)
            messages.success(request, "The MFA device was removed.")
        except IAMError as error:
            messages.error(request, error.message)
        return redirect("my-credentials")
