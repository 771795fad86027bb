"""Every model has a factory, and every factory saves a row the database accepts."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

FACTORIES = [
    obj
    for _, obj in inspect.getmembers(factories, inspect.isclass)
    if issubclass(obj, factory.django.DjangoModelFactory)
    and obj is not factory.django.DjangoModelFactory
]
PROJECT_APPS = ("accounts", "policies", "brokers")


def _model(factory_class):
    model = factory_class._meta.model
    return apps.get_model(model) if isinstance(model, str) else model


def test_every_model_has_a_factory():
    models = {m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()}
    covered = {_model(f) for f in FACTORIES}
    missing = sorted(m.__name__ for m in models - covered)
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_factory_builds_a_valid_saved_row(factory_class):
    obj = factory_class()
    assert type(obj).objects.filter(pk=obj.pk).exists()
