from __future__ import annotations

from server.floor.flow import FloorInput
from server.floor.inputs import ApplyInput, RenderSessions
from server.floor.kiosks import AddKiosk, EnrollKiosk, RevokeKiosk
from server.floor.operators import AddOperator, ChangeOperator, ResetPin, UnlockBadge, new_pin_hash
from server.floor.sessions import EndSession, ExpireIdleSessions, Login
from server.ids import new_id
from server.spine import Spine
from tests.examples import Example
from tests.examples.setup import (
    LOCKOUT_ATTEMPTS,
    PIN,
    added_kiosk,
    kiosk,
    login,
    operator,
    picking,
    ready_to_pick,
    session,
)
from tests.sync.conftest import TESTER


def locked(spine: Spine, badge: str) -> str:
    """An operator whose badge got locked by wrong PINs on a kiosk."""
    device_id = kiosk(spine, f"HH-{operator(spine, badge)}")
    outcomes = [
        spine.execute(login(device_id, badge, pin_ok=False), TESTER).result["outcome"]
        for _ in range(LOCKOUT_ATTEMPTS)
    ]
    assert outcomes[-1] == "lock_now", outcomes
    return badge


EXAMPLES: dict[type, Example] = {
    AddOperator: lambda s: AddOperator("B-7", "Ana", ("picker",), new_pin_hash(PIN)),
    ChangeOperator: lambda s: ChangeOperator(operator(s, "B-7"), roles=("picker", "packer")),
    ResetPin: lambda s: ResetPin(operator(s, "B-7"), new_pin_hash("9031")),
    UnlockBadge: lambda s: UnlockBadge(locked(s, "B-7")),
    AddKiosk: lambda s: AddKiosk("HH-9", "handheld", None, 900.0),
    EnrollKiosk: lambda s: EnrollKiosk(added_kiosk(s, "HH-9")),
    RevokeKiosk: lambda s: (session(s, "P1"), RevokeKiosk("HH-P1"))[1],
    Login: lambda s: login(kiosk(s, "HH-9"), operator(s, "B-7")),
    EndSession: lambda s: EndSession(session(s), "logout"),
    ExpireIdleSessions: lambda s: (session(s), ExpireIdleSessions(0.0))[1],
    ApplyInput: lambda s: ApplyInput(ready_to_pick(s), FloorInput(new_id("in"), action="pick")),
    RenderSessions: lambda s: RenderSessions((picking(s),)),
}
# Handlers that only keep the machinery's bookkeeping (exempt tables): driven like the rest,
# they must pass the spine's check and record nothing.
BOOKKEEPING_ONLY: set[type] = {RenderSessions}
