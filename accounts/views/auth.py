"""Sign-in (root or IAM user), MFA step, sign-out and password change."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.errors import IAMError
from accounts.forms import (
    MFACodeForm,
    PasswordChangeForm,
    RootSignInForm,
    UserSignInForm,
    apply_service_error,
)
from accounts.models import IAMUser
from accounts.services.signin import sign_in_with_mfa, sign_in_with_password
from accounts.services.signin_throttle import known_device_cookie
from accounts.services.users import user_password_change
from accounts.session import (
    session_pending,
    session_set_must_change_password,
    session_sign_out,
)
from config.views import safe_next
from policies.authorization import actor_for


def _safe_next(request) -> str:
    return safe_next(request, reverse("home"))


@method_decorator(never_cache, name="dispatch")
class SignInView(View):
    """One page, two ways in: root user (email) or IAM user (account, user name)."""

    template_name = "accounts/signin.html"

    def get(self, request):
        mode = request.GET.get("as", "user")
        return self._render(request, mode, RootSignInForm(), UserSignInForm())

    def post(self, request):
        mode = request.POST.get("as", "user")
        root_form = RootSignInForm(request.POST if mode == "root" else None)
        user_form = UserSignInForm(request.POST if mode == "user" else None)
        form = root_form if mode == "root" else user_form
        if not form.is_valid():
            return self._render(request, mode, root_form, user_form, status=400)
        data = form.cleaned_data
        if mode == "root":
            outcome = sign_in_with_password(
                request, root_email=data["email"], password=data["password"]
            )
        else:
            outcome = sign_in_with_password(
                request,
                account_ref=data["account"],
                username=data["username"],
                password=data["password"],
            )
        if outcome.status == "mfa-required":
            return redirect(f"{reverse('signin-mfa')}?next={_safe_next(request)}")
        if outcome.status == "signed-in":
            if outcome.must_change_password:
                return known_device_cookie(request, redirect("password-change"))
            return known_device_cookie(request, HttpResponseRedirect(_safe_next(request)))
        form.add_error(None, outcome.message)
        status = 429 if outcome.status == "locked-out" else 401
        return self._render(request, mode, root_form, user_form, status=status)

    def _render(self, request, mode, root_form, user_form, status=200):
        return render(
            request,
            self.template_name,
            {
                "mode": mode,
                "root_form": root_form,
                "user_form": user_form,
                "next": _safe_next(request),
            },
            status=status,
        )


@method_decorator(never_cache, name="dispatch")
class SignInMFAView(View):
    """The second step: a code from the virtual MFA device."""

    template_name = "accounts/signin_mfa.html"

    def get(self, request):
        if session_pending(request) is None:
            return redirect("signin")
        return render(
            request, self.template_name, {"form": MFACodeForm(), "next": _safe_next(request)}
        )

    def post(self, request):
        pending = session_pending(request)
        if pending is None:
            return redirect("signin")
        form = MFACodeForm(request.POST)
        if form.is_valid():
            outcome = sign_in_with_mfa(request, pending=pending, code=form.cleaned_data["code"])
            if outcome.status == "signed-in":
                if outcome.must_change_password:
                    return known_device_cookie(request, redirect("password-change"))
                return known_device_cookie(request, HttpResponseRedirect(_safe_next(request)))
            form.add_error("code", outcome.message)
            status = 429 if outcome.status == "locked-out" else 401
        else:
            status = 400
        return render(
            request, self.template_name, {"form": form, "next": _safe_next(request)}, status=status
        )


class SignOutView(View):
    """Sign out (POST only, so a link cannot sign you out)."""

    def post(self, request):
        session_sign_out(request)
        messages.info(request, "You have signed out.")
        return redirect("signin")


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(View):
    """An IAM user changes their own password (forced after a reset, or by choice)."""

    template_name = "accounts/password_change.html"

    def _user(self, request):
        principal = request.principal
        if principal.kind != "user":
            return None
        return IAMUser.objects.select_related("account").get(pk=principal.pk)

    def get(self, request):
        if self._user(request) is None:
            messages.info(request, "Only IAM users change their password here.")
            return redirect("home")
        return render(request, self.template_name, {"form": PasswordChangeForm()})

    def post(self, request):
        user = self._user(request)
        if user is None:
            return redirect("home")
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            try:
                user_password_change(
                    actor=actor_for(request),
                    user=user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except IAMError as error:
                apply_service_error(form, error)
            else:
                session_set_must_change_password(request, False)
                messages.success(request, "Your password has been changed.")
                return redirect("home")
        return render(request, self.template_name, {"form": form}, status=400)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout hook: keep the sign-in page (with its message), as 429."""
    if original_response is not None:
        original_response.status_code = 429
        return original_response
    return render(
        request,
        "accounts/signin.html",
        {
            "mode": "user",
            "root_form": RootSignInForm(),
            "user_form": UserSignInForm(),
            "locked_out": True,
        },
        status=429,
    )
