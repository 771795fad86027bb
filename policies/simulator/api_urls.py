from django.urls import path

from policies.simulator.views import SimulateApi

urlpatterns = [path("simulate/", SimulateApi.as_view(), name="simulate")]
