"""Console URLs of the brokers app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
