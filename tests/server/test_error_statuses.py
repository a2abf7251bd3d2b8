"""Domain errors carry no HTTP status: the HTTP edge maps each class to its status in one
table (server/api/problems.py), which the floor's Socket.IO acks share."""

from __future__ import annotations

from server.api.floor import BadgeLocked, LoginRefused
from server.api.problems import STATUS, status_of
from server.errors import Conflict, FloorlinkError, InvalidInput, NotFound
from server.floor.inputs import SessionEnded


def test_domain_errors_carry_no_status_and_the_http_edge_maps_every_one() -> None:
    def every(cls: type[FloorlinkError]) -> list[type[FloorlinkError]]:
        return [cls, *(sub for direct in cls.__subclasses__() for sub in every(direct))]

    for cls in every(FloorlinkError):
        assert "status" not in vars(cls), cls
    assert set(STATUS) <= set(every(FloorlinkError))
    cases = {
        FloorlinkError: 400,
        InvalidInput: 422,
        NotFound: 404,
        Conflict: 409,
        LoginRefused: 401,
        SessionEnded: 401,
        BadgeLocked: 423,
    }
    for cls, status in cases.items():
        assert status_of(cls("x")) == status, cls
