from django.urls import path

from policies.simulator.views import SimulatorView

urlpatterns = [path("simulator", SimulatorView.as_view(), name="simulator")]
