"""The OMS of the campaign: orders posted with an Idempotency-Key and some of them cancelled,
each retried until answered; one OMS sends every request twice. And a watcher of the stock
list that checks no row is ever negative or over-reserved while the faults run."""

from __future__ import annotations

import random
import threading
from typing import Any

import requests

from tests.faults.ledger import Ledger, Worker, answered

SKUS = ("MUG", "PEN")


def order_body(external_id: str, rng: random.Random) -> dict[str, Any]:
    skus = rng.sample(SKUS, rng.randint(1, len(SKUS)))
    return {
        "external_id": external_id,
        "channel": "web",
        "priority": rng.randint(0, 9),
        "ship_by": "2030-01-01T12:00:00Z",
        "lines": [
            {"line_id": str(i), "sku": sku, "qty": rng.randint(1, 2)}
            for i, sku in enumerate(skus, 1)
        ],
    }


class Oms(Worker):
    """Posts an order every `pause` seconds and cancels every fourth one it has posted
    (picked or not). `orders` and `cancelled` are what was acknowledged."""

    def __init__(self, name: str, ledger: Ledger, stop: threading.Event, base: str, key: str,
                 twice: bool, pause: float = 0.3) -> None:  # fmt: skip
        super().__init__(name, ledger, stop)
        self.base, self.twice, self.pause = base + "/api/v1", twice, pause
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"
        self.rng = random.Random(name)
        self.orders: dict[str, dict[str, Any]] = {}  # external id -> the answer
        self.cancelled: set[str] = set()
        self.replays = 0  # requests sent a second time on purpose

    def call(self, method: str, path: str, body: Any, **headers: str) -> tuple[Any, int]:
        return answered(
            self.http, self.ledger, self.name, method, self.base + path, json=body,
            headers=headers,
        )  # fmt: skip

    def work(self) -> None:
        n = 0
        while not self.stop_event.is_set():
            n += 1
            self.place(f"{self.name}-{n}")
            candidates = sorted(set(self.orders) - self.cancelled)
            if n % 4 == 0 and candidates:
                self.cancel(self.rng.choice(candidates))
            self.stop_event.wait(self.pause)
        self.http.close()

    def place(self, external_id: str) -> None:
        body = order_body(external_id, self.rng)
        key = {"Idempotency-Key": external_id}
        response, _ = self.call("POST", "/orders", body, **key)
        if response.status_code != 201:
            self.ledger.problem(f"{self.name}: order {external_id} answered {response.text}")
            return
        self.orders[external_id] = response.json()
        self.acked += 1
        if self.twice:
            self.replays += 1
            again, _ = self.call("POST", "/orders", body, **key)
            same = again.status_code == 201 and again.json() == response.json()
            if not same or again.headers.get("Idempotent-Replayed") != "true":
                self.ledger.problem(
                    f"{self.name}: order {external_id} sent again answered "
                    f"{again.status_code} {again.text[:300]}, not the first answer"
                )

    def cancel(self, external_id: str) -> None:
        path, body = f"/orders/{external_id}/cancel", {"reason": "campaign"}
        response, attempts = self.call("POST", path, body)
        # 409 to a request sent again: the first one was applied, its answer lost
        done = response.status_code == 200 or (response.status_code == 409 and attempts > 1)
        if not done:
            self.ledger.problem(f"{self.name}: cancel {external_id} answered {response.text}")
            return
        self.cancelled.add(external_id)
        self.acked += 1
        if self.twice:
            self.replays += 1
            again, _ = self.call("POST", path, body)
            if again.status_code != 409:
                self.ledger.problem(
                    f"{self.name}: cancel {external_id} sent again answered {again.status_code}"
                )


class StockWatch(Worker):
    """Reads the whole stock list every `pause` seconds (a few rows: cheap, and the schedule
    waits for two reads after each fault): no row ever below zero or reserved beyond what
    is on hand. `rows` counts the rows checked."""

    def __init__(self, ledger: Ledger, stop: threading.Event, base: str, key: str,
                 pause: float = 0.25) -> None:  # fmt: skip
        super().__init__("stock-watch", ledger, stop)
        self.pause = pause
        self.url = base + "/api/v1/stock"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"
        self.rows = 0
        self.bad: list[dict[str, Any]] = []

    def work(self) -> None:
        while not self.stop_event.wait(self.pause):
            self.check_once()
        self.http.close()

    def check_once(self) -> None:
        cursor: str | None = None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            response, _ = answered(self.http, self.ledger, self.name, "GET", self.url,
                                   params=params)  # fmt: skip
            page = response.json()
            for row in page["data"]:
                self.rows += 1
                if row["on_hand"] < 0 or row["reserved"] < 0 or row["reserved"] > row["on_hand"]:
                    self.bad.append(row)
            if not page["has_more"]:
                break
            cursor = page["next_cursor"]
        self.acked += 1
