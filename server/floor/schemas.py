"""Bodies of the floor protocol (HTTP and Socket.IO validate with the same models)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from server.floor.flow import FloorInput
from server.operations import Strict

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]
# A raw scan: printable text plus GS (FNC1) for GS1 element strings.
RawScan = Annotated[
    str, StringConstraints(min_length=1, max_length=512, pattern=r"^[^\x00-\x1c\x1e\x1f\x7f]+$")
]
Pin = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[0-9]+$")]


class _Body(Strict):
    """The floor's request bodies (HTTP and Socket.IO): strict, as every request body."""


class EnrollIn(_Body):
    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class Enrolled(BaseModel):
    device_id: str
    device_token: str
    kind: Literal["handheld", "station"]
    station: str | None


class BadgeIn(_Body):
    badge: Code


class LoginIn(_Body):
    badge: Code
    pin: Pin


class InputIn(_Body):
    input_id: Code
    scan: RawScan | None = None
    action: Code | None = None
    value: Any = None

    @model_validator(mode="after")
    def _one_of(self) -> InputIn:
        if (self.scan is None) == (self.action is None):
            raise ValueError("send exactly one of `scan` or `action`")
        return self

    def floor_input(self, source: str) -> FloorInput:
        return FloorInput(
            self.input_id, scan=self.scan, action=self.action, value=self.value, source=source
        )


class ActionInputOut(BaseModel):
    kind: Literal["number"]
    label: str
    min: int | None = None
    max: int | None = None


class ActionOut(BaseModel):
    id: str
    label: str
    input: ActionInputOut | None = None


class FeedbackOut(BaseModel):
    level: Literal["ok", "warn", "error"]
    message: str


class ScreenOut(BaseModel):
    name: str
    title: str
    prompt: str
    expect: str
    target: dict[str, Any] = Field(default_factory=dict)
    actions: list[ActionOut] = Field(default_factory=list)
    feedback: FeedbackOut | None = None
    progress: dict[str, Any] = Field(default_factory=dict)


class ScreenEnvelope(BaseModel):
    screen: ScreenOut


class DeviceOut(BaseModel):
    device_id: str
    kind: str
    station: str | None
    demo: bool
    screen: ScreenOut


class SessionOut(BaseModel):
    session_id: str
    token: str
    screen: ScreenOut


class SessionEndedOut(BaseModel):
    session_id: str
    ended: bool


class UnlockOut(BaseModel):
    badge: str
    unlocked: bool
