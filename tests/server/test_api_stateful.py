"""schemathesis's stateful phase against the served OpenAPI: sequences of calls that follow
the links between operations (an order created, then read, cancelled), with every check
schemathesis runs by default (no 5xx, status codes, content types, response schemas,
schema-valid data accepted, invalid data refused, ...).

Two things are explained rather than changed (docs/api.md, Errors):
- JSON Schema calls `2.0` an integer, Floorlink's strict bodies do not (a quantity is
  written `2`): integral floats in the generated bodies are sent as integers.
- `positive_data_acceptance` is left out: it wants a schema-valid body accepted or answered
  404/409, and Floorlink answers 422 when a valid body breaks a rule of the warehouse (an
  RMA for an unknown order, an adjustment below zero), with the field that is wrong."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from tests.fixtures.site import load_site

pytestmark = pytest.mark.slow


def test_stateful_sequences_of_calls_pass_every_check(app: Flask, site: Any) -> None:
    load_site(site, stock=[])
    # The key as configuration (not a generated header): schemathesis's auth checks then
    # know it is valid and try their own invalid ones.
    config = SchemathesisConfig.from_dict({"headers": {"Authorization": f"Bearer {site.key}"}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    base = schema.as_state_machine()

    class Calls(base):  # type: ignore[misc,valid-type]
        def before_call(self, case: Any) -> None:
            case.body = _integers(case.body)
            case.headers = {**(case.headers or {}), "Idempotency-Key": str(uuid.uuid4())}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=[positive_data_acceptance],
                transport_kwargs=kwargs,
            )

    run_state_machine_as_test(
        Calls,
        settings=settings(
            max_examples=8,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def _integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    return value
