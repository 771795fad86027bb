"""The dashboard: who you are, the account against its quotas, and security hints."""

from django.shortcuts import render
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from accounts.query_api.views import is_query_api_request, query_api
from accounts.selectors import account_of
from accounts.summary import account_summary, security_hints
from policies.permissions import check

QUOTA_ROWS = (
    ("Users", "UsersQuota"),
    ("Groups", "GroupsQuota"),
    ("Roles", "RolesQuota"),
    ("Policies", "PoliciesQuota"),
    ("PolicyVersionsInUse", "PolicyVersionsInUseQuota"),
)


class HomeView(View):
    """Account counts and hints need iam:GetAccountSummary; without it, just who you are."""

    def get(self, request):
        context = {"principal": request.principal}
        if check(request, "iam:GetAccountSummary", "*").allowed:
            account = account_of(request.principal)
            summary = account_summary(account)
            context["quotas"] = [
                {
                    "label": {"PolicyVersionsInUse": "Policy attachments"}.get(name, name),
                    "count": summary[name],
                    "quota": summary[quota],
                    "percent": min(100, round(100 * summary[name] / summary[quota])),
                }
                for name, quota in QUOTA_ROWS
            ]
            context["hints"] = security_hints(account)
            context["account"] = account
        return render(request, "home.html", context)


_home = HomeView.as_view()


@csrf_exempt  # the query API is SigV4-authenticated; the dashboard answers GET only
def home_or_query_api(request, *args, **kwargs):
    """The base URL: the dashboard for a browser, the IAM/STS query API for AWS clients."""
    if is_query_api_request(request):
        return query_api(request)
    return _home(request, *args, **kwargs)
