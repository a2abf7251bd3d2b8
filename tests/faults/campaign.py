"""One steady mixed workload through all the real processes at once, faults on a schedule
(tests/faults/schedule.py), and the invariants checked once it settled
(tests/faults/invariants.py), printed as a table.

The parts, each a real process but the receiver: `floorlink serve` (gunicorn; its MQTT
ingest; its own serial scanner on a pseudo-terminal at station PICK-S1), `floorlink relay`
delivering the webhooks, two `floorlink bridge` each with a scanner on a pseudo-terminal at
a station, Mosquitto, the database (a SQLite file, or a PostgreSQL of the campaign's own so
that it can be restarted) and a webhook receiver on loopback. The clients: two OMS posting
orders and cancelling some (one sends every request twice), pickers over HTTP (one sends
every input twice) and Socket.IO, a picker at each station scanning on its scanner, and a
watcher of the stock list.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee

from server import db, migrations
from server.api import keys
from server.areas import load_settings
from server.bootstrap import build_runtime
from server.db import connection
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.models import Event, WebhookDelivery, WebhookEndpoint
from server.models.sync import DeliveryStatus
from server.spine import SYSTEM, Spine
from server.sync.endpoints import CreateEndpoint
from tests.faults import invariants, schedule
from tests.faults.ledger import ANSWER_WITHIN_S, Availability, Ledger, Worker, wait_until
from tests.faults.oms import Oms, StockWatch
from tests.faults.parts import CODE_ENV, BridgeProcess, PrivatePostgres, RelayProcess
from tests.faults.pickers import Picker, SocketPicker, StationPicker, enroll_and_login
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.fixtures.site_parts import Serve
from tests.picking.live import Http
from tests.sync.receiver import Received, Receiver

RELAY_TIMEOUT_S = 3.0  # 1 s timed out answers of a receiver starved by the load (2 cores)
# The relay's backoff (`relay.retry_schedule_s`): the documented first retry (5 s), then
# tens of seconds where the documented one has minutes and hours, so that the receiver's
# 40 s outage (schedule.OUTAGE_S) fails a subject's head 3 or 4 times and is caught up
# within about a minute; 9 delays as documented (dead-lettered after the 10th failure,
# which would take 20 minutes of failures: never in the campaign).
RETRY_SCHEDULE_S = (5, 10, 15, 20, 30, 60, 120, 300, 600)
STOCK = [
    {"sku": "MUG", "location": "A-01-01-1", "delta": 40, "reason": "count"},
    {"sku": "MUG", "location": "BULK-01", "delta": 5000, "reason": "count"},
    {"sku": "PEN", "location": "A-01-02-1", "delta": 5000, "reason": "count"},
]
# badge, how it sends, station
PICKERS = [
    ("P-H1", "http", None),
    ("P-H2", "http-twice", None),
    ("P-S1", "socket", None),
    ("P-SER", "serial", "PICK-S1"),
    ("P-B1", "bridge", "PICK-B1"),
    ("P-B2", "bridge", "PICK-B2"),
]
BRIDGES = [("edge-1", "scanner-b1", "PICK-B1"), ("edge-2", "scanner-b2", "PICK-B2")]
SERIAL = ("scanner-s1", "PICK-S1")


@dataclass
class Site:
    directory: Path
    db_url: str
    postgres: PrivatePostgres | None
    broker: MosquittoBroker
    ptys: dict[str, Any]
    receiver: Receiver
    spine: Spine | None = None
    serve: Serve = field(init=False)
    relay: RelayProcess = field(init=False)
    bridges: list[BridgeProcess] = field(default_factory=list)
    availability: Availability = field(default_factory=Availability)
    receiver_mode: str = "ok"
    over: threading.Event = field(default_factory=threading.Event)  # the campaign ended
    oms_key: str = ""
    endpoint_id: str = ""

    def answer(self, _received: Received) -> int:
        """The receiver's script: what the schedule has it answer now."""
        if self.receiver_mode == "500":
            return 500
        if self.receiver_mode == "slow":  # after the relay stopped waiting
            time.sleep(RELAY_TIMEOUT_S + 1.0)
            return 504
        return 200


def config_text(site: Site, name: str) -> str:
    scanner, station = SERIAL
    text = (
        f'database_url = "{site.db_url}"\nsecret_key = "campaign"\nsite = "{name}"\n'
        f'mqtt_url = "{site.broker.url}"\n'
        "[server]\nthreads = 24\n"
        f"[relay]\nenabled = false\ntimeout_s = {RELAY_TIMEOUT_S}\npoll_interval_s = 0.1\n"
        f"retry_schedule_s = {list(RETRY_SCHEDULE_S)}\n"
        f'[mqtt]\nenabled = true\nclient_id = "floorlink-{name}"\n'
        "[picking]\nmax_orders = 3\n"
        f'[[scanners]]\nid = "{scanner}"\nport = "{site.ptys[scanner].path}"\n'
        f'station = "{station}"\n'
    )
    for bridge, device, at in BRIDGES:
        text += (
            f'[[devices]]\nid = "{device}"\nkind = "scanner"\nstation = "{at}"\n'
            f'bridge = "{bridge}"\n'
        )
    return text


def seed(site: Site) -> dict[str, str]:
    """Keys, the webhook endpoint, operators and kiosks, through the spine before the server
    starts; the kiosks' enrollment codes by badge."""
    assert site.spine is not None
    spine, codes = site.spine, {}
    with connection():
        site.oms_key = keys.create("campaign-oms", "oms").secret
        view = spine.execute(CreateEndpoint(site.receiver.url, ["*"]), SYSTEM).result
        site.receiver.secrets.append(view["secret"])
        site.endpoint_id = view["id"]
        pin = operators.new_pin_hash("1234")
        for badge, _how, station in PICKERS:
            spine.execute(operators.AddOperator(badge, badge, ("picker",), pin), SYSTEM)
            kind = "station" if station else "handheld"
            added = spine.execute(AddKiosk(f"K-{badge}", kind, station, 900.0), SYSTEM).result
            codes[badge] = added["enrollment_code"]
    return codes


def load_catalog(site: Site, totes: dict[str, list[str]]) -> None:
    oms = Http(site.serve.base, site.oms_key)
    assert oms.put("/products", {"products": PRODUCTS}).status_code == 200
    assert oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
    assert oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
    codes = [{"code": c} for pool in totes.values() for c in pool]
    for i in range(0, len(codes), 1000):
        assert oms.put("/totes", {"totes": codes[i : i + 1000]}).status_code == 200
    oms.http.close()


@dataclass
class Clients:
    oms: list[Oms]
    pickers: list[Picker]
    watch: StockWatch

    @property
    def all(self) -> list[Worker]:
        return [*self.oms, *self.pickers, self.watch]


class Campaign:
    def __init__(self, directory: Path, broker: Callable[[], MosquittoBroker],
                 pty: Callable[[str], Any], rounds: int, on_postgres: bool) -> None:  # fmt: skip
        self.directory, self.rounds, self.on_postgres = directory, rounds, on_postgres
        self.make_broker, self.make_pty = broker, pty
        self.ledger, self.stop = Ledger(), threading.Event()

    def run(self) -> invariants.Report:
        postgres = PrivatePostgres().create() if self.on_postgres else None
        url = postgres.url if postgres else f"sqlite:///{self.directory / 'floorlink.db'}"
        names = [SERIAL[0], *(device for _, device, _ in BRIDGES)]
        site = Site(self.directory, url, postgres, self.make_broker(),
                    {n: self.make_pty(n) for n in names}, Receiver())  # fmt: skip
        site.receiver.script = site.answer
        site.receiver.start()
        try:
            return self._run(site)
        finally:
            self.stop.set()
            site.over.set()
            for part in [getattr(site, "serve", None), getattr(site, "relay", None),
                         *site.bridges]:  # fmt: skip
                if part is not None:
                    part.kill()
            site.broker.stop()
            site.receiver.stop()
            db.database.obj.close_all()
            if postgres is not None:
                postgres.destroy()

    def _run(self, site: Site) -> invariants.Report:
        db.bind(site.db_url)
        migrations.upgrade()
        name = f"campaign-{uuid.uuid4().hex[:6]}"
        config = self.directory / "floorlink.toml"
        config.write_text(config_text(site, name))
        site.spine = build_runtime(load_settings(config, env={})).spine
        codes = seed(site)
        site.serve = Serve("serve", self.directory, config, CODE_ENV).start()
        site.relay = RelayProcess(self.directory, config)
        site.bridges = [BridgeProcess(self.directory, bridge_id, name, site.broker.url, device,
                                      site.ptys[device].path)
                        for bridge_id, device, _ in BRIDGES]  # fmt: skip
        for part in [site.relay, *site.bridges]:  # all start at once
            part.launch()
        site.serve.wait_healthy()
        for part in [site.relay, *site.bridges]:
            part.ready()
        per = 100 + 100 * max(self.rounds, 1)  # a tote per order picked: enough, not more
        totes = {badge: [f"T-{badge}-{i:04d}" for i in range(per)] for badge, _, _ in PICKERS}
        load_catalog(site, totes)
        clients = self.clients(site, codes, totes)
        began = time.monotonic()
        for worker in clients.all:
            worker.start()
        schedule.resumed(clients.all, "the start")
        windows = schedule.run(site, self.rounds, clients.all)
        self.settle(site, clients)
        return invariants.check(site, clients, self.ledger, windows, time.monotonic() - began)

    def clients(self, site: Site, codes: dict[str, str], totes: dict[str, list[str]]) -> Clients:
        base, ledger, stop = site.serve.base, self.ledger, self.stop
        oms = [Oms("oms-a", ledger, stop, base, site.oms_key, twice=False),
               Oms("oms-b", ledger, stop, base, site.oms_key, twice=True)]  # fmt: skip
        bridges = {b.scanner: b for b in site.bridges}
        pickers: list[Picker] = []
        with ThreadPoolExecutor(len(PICKERS)) as pool:  # one kiosk after another: ~1 s
            logins = pool.map(lambda p: enroll_and_login(base, codes[p[0]], p[0]), PICKERS)
        for (badge, how, station), login in zip(PICKERS, logins, strict=True):
            args = (f"picker-{badge}", ledger, stop, base, login, totes[badge])
            if how.startswith("http"):
                pickers.append(Picker(*args, twice=how == "http-twice"))
            elif how == "socket":
                pickers.append(SocketPicker(*args))
            else:
                device = (
                    SERIAL[0]
                    if how == "serial"
                    else next(d for _, d, at in BRIDGES if at == station)
                )
                pickers.append(StationPicker(*args, site.ptys[device], device, site.availability,
                                             bridges.get(device)))  # fmt: skip
        return Clients(oms, pickers, StockWatch(ledger, stop, base, site.oms_key))

    def settle(self, site: Site, clients: Clients) -> None:
        """Stop the clients (each finishes what it sent), then wait until the bridges'
        spools are empty and every event has been delivered."""
        self.stop.set()
        for worker in clients.all:
            worker.join(ANSWER_WITHIN_S + 30)
        failed = [w.failure or f"{w.name} did not stop" for w in clients.all
                  if w.failure or w.is_alive()]  # fmt: skip
        assert not failed, "\n".join(failed)
        wait_until(lambda: all(b.held_now() == 0 for b in site.bridges), 120,
                   "the bridges' spools confirmed", 0.2)  # fmt: skip
        wait_until(lambda: delivered_all(site.endpoint_id), 120, "every event delivered", 0.2)


def delivered_all(endpoint_id: str) -> bool:
    with connection():
        top = Event.select(peewee.fn.MAX(Event.position)).scalar() or 0
        endpoint = WebhookEndpoint.get(WebhookEndpoint.endpoint_id == endpoint_id)
        pending = WebhookDelivery.select().where(WebhookDelivery.status != DeliveryStatus.DELIVERED)
        return bool(endpoint.fanout_position >= top and pending.count() == 0)
