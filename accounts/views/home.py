"""The dashboard: who you are and where to go next."""

from django.shortcuts import render
from django.views import View


class HomeView(View):
    def get(self, request):
        return render(request, "home.html", {"principal": request.principal})
