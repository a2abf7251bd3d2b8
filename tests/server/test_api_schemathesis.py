"""schemathesis against the served OpenAPI document: no 500, and every answer conforms."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fixtures.site import load_site

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15
CHUNKS = 4  # operations split over several tests, each well inside the per-test timeout

pytestmark = pytest.mark.slow


def _operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: (op.path, op.method))


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_survives_generated_requests(
    app: Flask, site: Any, mode: GenerationMode, chunk: int
) -> None:
    load_site(site, stock=[])  # known SKUs and locations make deeper paths reachable
    auth = {"Authorization": f"Bearer {site.key}", "Idempotency-Key": "fuzz"}
    operations = _operations(app)
    assert len(operations) >= 10
    for operation in operations[chunk::CHUNKS]:
        _exercise(operation, auth, mode)


def _exercise(operation: Any, headers: dict[str, str], mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), fresh=st.uuids())
    def run(case: Any, fresh: Any) -> None:
        merged = {**headers, "Idempotency-Key": f"fuzz-{fresh}"}
        response = case.call(headers=merged)
        case.validate_response(response, checks=CHECKS, headers=merged)

    try:
        run()
    except Unsatisfiable:
        # Nothing to break in an operation without parameters (e.g. /health).
        assert mode is GenerationMode.NEGATIVE
