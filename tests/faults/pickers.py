"""The campaign's pickers. Each walks its batches as a careful picker does (the Walker of
tests/picking/live.py: a tote per order, what each screen asks to scan), over its own way
to the server: HTTP, Socket.IO, a serial scanner of the server at a station, or a bridge's
scanner at a station (both on pseudo-terminals).

An input without an answer is sent again with the same input_id; one HTTP picker sends
every input twice. A scanner has no answer of its own: a station picker sees its scan taken
when the server remembers it (its `floor:<session>:...` input), and scans again only when a
scan was lost: not spooled by a bridge that was down, or not read by a server that was.

`units` counts the units the picker's acknowledged tote scans put in totes, for the
invariants to compare with the pick.confirmed events of its badge.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
import socketio

from devices.pseudo_terminal import PseudoTerminal
from server.db import connection
from server.models import ProcessedInput
from tests.faults.ledger import ANSWER_WITHIN_S, Availability, Ledger, Worker, answered
from tests.faults.parts import BridgeProcess
from tests.picking.live import FLOOR, Walker

# A scan not taken this long after it was written, or after the server and its database
# were back, is lost. The server's reader retries a scan for ~3 s while its database is
# away, the last wait 1.6 s: then it goes, or is dropped. A scan takes ~0.1 s otherwise
# (up to 0.15 s measured on 2 loaded cores): 5 s leaves a wide margin.
LOST_AFTER_S = 5.0
# A bridge flushes its port when it opens it (pyserial), before it logs the scanner online
# (its `ready`): a scan not spooled this long after that, or after it was written, was
# written while no bridge read the port.
BRIDGE_LOST_AFTER_S = 3.0


@dataclass(frozen=True)
class Login:
    badge: str
    device_token: str
    session_id: str
    token: str
    screen: dict[str, Any]


def enroll_and_login(base: str, code: str, badge: str) -> Login:
    with requests.Session() as http:
        r = http.post(f"{base}{FLOOR}/enroll", json={"code": code}, timeout=10)
        assert r.status_code == 201, r.text
        token = r.json()["device_token"]
        r = http.post(f"{base}{FLOOR}/sessions", json={"badge": badge, "pin": "1234"},
                      headers={"X-Device-Token": token}, timeout=10)  # fmt: skip
        assert r.status_code == 201, r.text
        body = r.json()
    return Login(badge, token, body["session_id"], body["token"], body["screen"])


def is_error(screen: dict[str, Any]) -> bool:
    return (screen.get("feedback") or {}).get("level") == "error"


class Picker(Worker):
    """Over HTTP: one keep-alive session, POST .../inputs."""

    def __init__(self, name: str, ledger: Ledger, stop: threading.Event, base: str,
                 login: Login, totes: list[str], twice: bool = False) -> None:  # fmt: skip
        super().__init__(name, ledger, stop)
        self.base, self.login, self.twice = base, login, twice
        self.screen = login.screen
        self.walker = Walker(free=list(totes))
        self.http = requests.Session()
        self.http.headers["X-Device-Token"] = login.device_token
        self.http.headers["Authorization"] = f"Bearer {login.token}"
        self.inputs: dict[str, dict[str, Any]] = {}  # acknowledged input id -> its answer
        self.n = self.units = self.errors = self.replays = 0

    def work(self) -> None:
        try:
            while not self.stop_event.is_set():
                self.step()
        finally:
            self.close()

    def step(self) -> None:
        screen = self.screen
        scan = self.walker.next_scan(screen)
        if scan is not None:
            result = self.scan(scan)
            if screen["name"] == "pick.scan_tote_put" and not is_error(result):
                self.units += int(screen["target"]["qty"])
            return
        name = screen["name"]
        if name == "pick.no_work":
            self.stop_event.wait(0.3)
        action = {"pick.no_work": "retry", "pick.done": "next", "home": "pick"}.get(name, "home")
        self.screen = self.send({"action": action})

    def scan(self, code: str) -> dict[str, Any]:
        self.screen = self.send({"scan": code})
        return self.screen

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        self.n += 1
        body = {"input_id": f"{self.login.badge}-{self.n}", **body}
        screen = self.post_input(body)
        self.inputs[body["input_id"]] = screen
        self.acked += 1
        self.errors += is_error(screen)
        if self.twice:
            self.replays += 1
            again = self.post_input(body)
            if again != screen:
                self.ledger.problem(f"{self.name}: input {body} sent again answered {again}")
        return screen

    def post_input(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base}{FLOOR}/sessions/{self.login.session_id}/inputs"
        response, _ = answered(self.http, self.ledger, self.name, "POST", url, json=body)
        assert response.status_code == 200, f"{self.name}: {body} -> {response.text}"
        screen: dict[str, Any] = response.json()["screen"]
        return screen

    def current(self) -> dict[str, Any]:
        url = f"{self.base}{FLOOR}/sessions/{self.login.session_id}/screen"
        response, _ = answered(self.http, self.ledger, self.name, "GET", url)
        assert response.status_code == 200, f"{self.name}: screen -> {response.text}"
        screen: dict[str, Any] = response.json()["screen"]
        return screen

    def close(self) -> None:
        self.http.close()


class SocketPicker(Picker):
    """Over Socket.IO (`/kiosk`, emit `input` with an ack): a socket that dropped is opened
    again and the input sent again with the same input_id, as the kiosk's link.js does."""

    sio: socketio.Client | None = None

    def post_input(self, body: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + ANSWER_WITHIN_S
        while time.monotonic() < deadline:
            client, sent = self.connected(deadline), time.monotonic()
            try:
                ack = client.call("input", body, namespace="/kiosk", timeout=5)
            except socketio.exceptions.SocketIOError:
                self.ledger.record(self.name, "emit input", sent, None)
                self.drop()
                continue
            status = int(ack["error"]["status"]) if ack.get("error") else 200
            self.ledger.record(self.name, "emit input", sent, status)
            if status < 500:
                assert status == 200, f"{self.name}: {body} -> {ack}"
                screen: dict[str, Any] = ack["screen"]
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{self.name}: {body} not acknowledged in {ANSWER_WITHIN_S:.0f} s")

    def connected(self, deadline: float) -> socketio.Client:
        if self.sio is not None and self.sio.connected:
            return self.sio
        self.drop()
        auth = {"device_token": self.login.device_token, "session_token": self.login.token}
        while time.monotonic() < deadline:
            client = socketio.Client(reconnection=False)
            client.on("screen", lambda _data: None, namespace="/kiosk")  # pushes: not needed
            try:
                client.connect(self.base, namespaces=["/kiosk"], auth=auth, wait_timeout=5)
            except socketio.exceptions.ConnectionError:
                client.disconnect()
                time.sleep(0.3)
                continue
            self.sio = client
            return client
        raise AssertionError(f"{self.name}: no socket in {ANSWER_WITHIN_S:.0f} s")

    def drop(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()
            self.sio = None

    def close(self) -> None:
        self.drop()
        super().close()


class StationPicker(Picker):
    """At a station: the screen's actions from the station's kiosk (HTTP), every scan from a
    scanner on a pseudo-terminal: the server's own serial scanner (`bridge` None) or a
    bridge's. `written` counts the scans written, `lost` those that were not taken."""

    def __init__(self, name: str, ledger: Ledger, stop: threading.Event, base: str,
                 login: Login, totes: list[str], pty: PseudoTerminal, scanner: str,
                 availability: Availability, bridge: BridgeProcess | None = None) -> None:  # fmt: skip
        super().__init__(name, ledger, stop, base, login, totes)
        self.pty, self.bridge, self.availability = pty, bridge, availability
        via = f"{'mqtt' if bridge is not None else 'serial'}:{scanner}:"
        self.prefix = f"floor:{login.session_id}:{via}"
        self.written = self.lost = self.scans = 0

    def scan(self, code: str) -> dict[str, Any]:
        before = set(self.taken())
        while True:
            if self.bridge is not None:
                if not self.spooled_when_written(self.bridge, code):
                    self.lost += 1  # written while the bridge was down: nobody read it
                    continue
                names, patience = (), ANSWER_WITHIN_S  # spooled: the bridge delivers it
            else:
                self.write(code)
                names, patience = ("server", "postgres"), LOST_AFTER_S
            written_at = time.monotonic()
            new = self.within(lambda: self.new_since(before), names, written_at, patience)
            if not new:
                assert self.bridge is None, f"{self.name}: {code}, spooled, never taken"
                self.lost += 1  # the server was not reading: scan again
                continue
            if len(new) > 1:
                self.ledger.problem(f"{self.name}: one scan of {code} taken {len(new)} times")
            self.scans += 1
            self.acked += 1
            result = new[-1]
            self.errors += is_error(result)
            self.screen = self.current()
            return result

    def write(self, code: str) -> None:
        self.pty.write(code.encode() + b"\r")
        self.written += 1

    def spooled_when_written(self, bridge: BridgeProcess, code: str) -> bool:
        """Write the scan; whether the bridge spooled it (its acknowledgement)."""
        spooled, written_at = bridge.spooled(), time.monotonic()
        self.write(code)
        spooled_now = lambda: bridge.spooled() > spooled  # noqa: E731
        return bool(self.within(spooled_now, (bridge.name,), written_at, BRIDGE_LOST_AFTER_S))

    def within(self, check: Any, names: tuple[str, ...], since: float,
               patience: float = LOST_AFTER_S) -> Any:  # fmt: skip
        while True:
            found = check()
            if found or time.monotonic() > self.availability.patient_until(names, since, patience):
                return found
            time.sleep(0.05)

    def new_since(self, before: set[str]) -> list[dict[str, Any]]:
        """The screens of the scans taken since `before`, oldest first."""
        taken = self.taken()
        return [screen for key, (_, screen) in sorted(taken.items(), key=lambda kv: kv[1][0])
                if key not in before]  # fmt: skip

    def taken(self) -> dict[str, tuple[Any, dict[str, Any]]]:
        """The scans of this scanner the server took for this session: key -> (when, the
        screen it led to)."""
        deadline = time.monotonic() + ANSWER_WITHIN_S
        p = ProcessedInput
        while True:
            try:
                with connection():
                    rows = p.select(p.key, p.created_at, p.result).where(
                        p.key.startswith(self.prefix)
                    )
                    found = {r.key: (r.created_at, r.result) for r in rows}
                return {k: v for k, v in found.items() if k.startswith(self.prefix)}
            except Exception:  # the database is restarting: read again
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
