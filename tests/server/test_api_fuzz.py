"""No body, however malformed, produces a 500: hypothesis against every body-taking route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.api.routing import REGISTRY
from tests.fixtures.app import Api

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@pytest.fixture
def admin_site(site: Api, admin_key: str) -> Api:
    """The small site, spoken to with an admin key so every route is reachable."""
    return Api(site.client, admin_key)


def body_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, concrete path) of every /api/v1 operation that takes a JSON body."""
    routes = []
    for op in REGISTRY:
        if op.body is None or not op.path.startswith("/api/v1/"):
            continue
        path = op.path.replace("{external_id}", "WEB-1")
        routes.append((op.method, path.replace("{", "").replace("}", "")))
    return sorted(set(routes))


def send(client: FlaskClient, key: str, method: str, path: str, raw: bytes) -> Any:
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Idempotency-Key": "fuzz-key",
    }
    return client.open(path, method=method, data=raw, headers=headers)


def assert_problem_or_success(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.content_type == "application/problem+json"
        body = response.json
        assert body["status"] == response.status_code and body["title"]
        for error in body.get("errors", []):
            assert set(error) == {"field", "message"}


def mutate(template: Any, draw: Any) -> Any:
    """Replace one value somewhere in a valid body by an arbitrary JSON value."""
    if isinstance(template, dict) and template:
        key = draw(st.sampled_from(sorted(template)))
        if draw(st.booleans()):
            return template | {key: draw(json_values)}
        return template | {key: mutate(template[key], draw)}
    if isinstance(template, list) and template:
        return [mutate(template[0], draw), *template[1:]]
    return draw(json_values)


VALID = {
    "/api/v1/products": {
        "products": [
            {"sku": "A", "name": "A", "barcodes": ["96385074"], "weight_g": 1, "dims_mm": [1, 2, 3]}
        ]
    },
    "/api/v1/locations": {
        "locations": [{"code": "L-1", "zone": "A", "kind": "pick", "walk_sequence": 1}]
    },
    "/api/v1/stock/adjustments": {
        "adjustments": [{"sku": "MUG", "location": "A-01-01-1", "delta": 1, "reason": "r"}]
    },
    "/api/v1/orders": {
        "external_id": "WEB-9",
        "channel": "web",
        "ship_by": "2030-01-01T00:00:00Z",
        "ship_to": {"name": "N", "country": "NL"},
        "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}],
    },
    "/api/v1/returns": {
        "rma_id": "R-1",
        "order_external_id": "WEB-1",
        "lines": [{"sku": "MUG", "qty": 1, "reason": "r"}],
    },
    "/api/v1/orders/WEB-1/cancel": {"reason": "r"},
}


def test_every_oms_body_route_has_a_valid_template(app: Flask) -> None:
    oms = {path for _, path in body_routes(app)}
    assert set(VALID) <= oms


def test_arbitrary_json_values(app: Flask, admin_site: Api) -> None:
    routes = body_routes(app)

    @FUZZ
    @given(route=st.sampled_from(routes), value=json_values)
    def run(route: tuple[str, str], value: Any) -> None:
        raw = json.dumps(value).encode()
        assert_problem_or_success(send(admin_site.client, admin_site.key, *route, raw))

    run()


def test_valid_bodies_with_one_value_broken(app: Flask, admin_site: Api) -> None:
    @FUZZ
    @given(path=st.sampled_from(sorted(VALID)), data=st.data())
    def run(path: str, data: Any) -> None:
        method = dict((p, m) for m, p in body_routes(app))[path]
        body = mutate(VALID[path], data.draw)
        raw = json.dumps(body).encode()
        assert_problem_or_success(send(admin_site.client, admin_site.key, method, path, raw))

    run()


def test_arbitrary_bytes(app: Flask, admin_site: Api) -> None:
    routes = body_routes(app)

    @FUZZ
    @given(route=st.sampled_from(routes), raw=st.binary(max_size=300))
    def run(route: tuple[str, str], raw: bytes) -> None:
        response = send(admin_site.client, admin_site.key, *route, raw)
        assert_problem_or_success(response)
        assert response.status_code in (400, 404, 409, 422) or response.status_code < 300

    run()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"products": [\xff\xfe]}',
        b'{"external_id": "\xc3\x28"}',
        b'{"a": "\\ud800"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b'{"priority": 1' + b"0" * 5000 + b"}",
        b'{"priority": 1e400}',
        b"NaN",
        b"",
        b"null",
    ],
)
def test_hostile_bodies(app: Flask, admin_site: Api, raw: bytes) -> None:
    for method, path in body_routes(app):
        response = send(admin_site.client, admin_site.key, method, path, raw)
        assert_problem_or_success(response)
        assert 400 <= response.status_code < 500


def test_ten_megabytes_is_413(app: Flask, admin_site: Api) -> None:
    raw = b'{"products": [' + b'"x",' * (10 * 1024 * 1024 // 4) + b'"x"]}'
    for method, path in body_routes(app):
        response = send(admin_site.client, admin_site.key, method, path, raw)
        assert response.status_code == 413, path
        assert response.content_type == "application/problem+json"


def test_form_bodies_are_415(app: Flask, admin_site: Api) -> None:
    for method, path in body_routes(app):
        response = admin_site.client.open(
            path,
            method=method,
            data={"a": "b"},
            headers={"Authorization": f"Bearer {admin_site.key}", "Idempotency-Key": "k"},
        )
        assert response.status_code in (404, 415), path
        assert response.content_type == "application/problem+json"
