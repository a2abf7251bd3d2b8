"""Returns: the OMS announces an RMA against a known order."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from server.api.catalog import api_actor
from server.api.routing import operation
from server.api.schemas import ReturnIn, ReturnOut
from server.errors import NotFound
from server.models import Rma
from server.returns.handlers import RegisterReturn
from server.returns.views import rma_view
from server.runtime import runtime

bp = Blueprint("returns", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/returns",
    "POST",
    access="oms",
    tag="returns",
    body=ReturnIn,
    summary="Register an RMA against a known order",
    responses={201: ("The registered RMA", ReturnOut)},
)
def post_return(body: ReturnIn) -> Any:
    outcome = runtime().spine.execute(RegisterReturn(body.model_dump()), api_actor())
    return outcome.result, 201


@operation(
    bp,
    "/returns/<rma_id>",
    "GET",
    access="oms",
    tag="returns",
    summary="One RMA and what has been received of it",
    responses={200: ("The RMA", ReturnOut)},
)
def get_return(rma_id: str) -> Any:
    rma = Rma.get_or_none(Rma.rma_id == rma_id)
    if rma is None:
        raise NotFound(f"no RMA {rma_id}")
    return rma_view(rma)
