"""The invariants, checked once the campaign settled, against what the clients were told
(the Ledger and each client's record), the database, the event feed and what the webhook
receiver got; and the table they are printed as.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee
import requests

from server.db import connection
from server.models import (
    Allocation,
    HardwareInput,
    Order,
    OrderLine,
    PackageItem,
    ProcessedInput,
    Product,
    Stock,
    ToteItem,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.faults.ledger import Ledger
from tests.faults.pickers import StationPicker
from tests.faults.schedule import CAUGHT_UP_WITHIN_S, Window

if TYPE_CHECKING:
    from tests.faults.campaign import Clients, Site

GRACE_S = 2.0  # a 5xx this soon after a part that answers requests came back is its fault


@dataclass(frozen=True)
class Row:
    invariant: str
    checked: int
    ok: bool
    detail: str = ""


@dataclass
class Report:
    database: str
    seconds: float
    rows: list[Row] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    def table(self) -> str:
        lines = [
            f"Campaign on {self.database}, {self.seconds:.0f} s of workload, {self.summary}",
            "",
            "| invariant | checked | result |",
            "|---|---|---|",
        ]
        for row in self.rows:
            result = "ok" if row.ok else "FAILED"
            detail = f" ({row.detail})" if row.detail else ""
            lines.append(f"| {row.invariant} | {row.checked} | {result}{detail} |")
        lines += [
            "",
            "| fault | times | longest time down | the receiver had all it was owed |",
            "|---|---|---|---|",
        ]
        by_fault: dict[str, list[Window]] = defaultdict(list)
        for w in self.windows:
            by_fault[w.fault].append(w)
        for fault, windows in by_fault.items():
            down = max(w.end - w.start for w in windows)
            lines.append(f"| {fault} | {len(windows)} | {down:.1f} s | {caught_up(windows)} |")
        return "\n".join(lines)


def caught_up(windows: list[Window]) -> str:
    """The receiver's faults: the longest time from its return until every event committed
    before it had been delivered to it."""
    if not any(w.fault.startswith("webhook receiver") for w in windows):
        return "-"
    times = [w.caught_up for w in windows]
    if None in times:
        return f"not within {CAUGHT_UP_WITHIN_S:.0f} s"
    return f"{max(t for t in times if t is not None):.1f} s after its return"


def read_feed(base: str, key: str) -> list[dict[str, Any]]:
    """The whole event feed, GET /api/v1/events page by page, in commit order."""
    events: list[dict[str, Any]] = []
    cursor: str | None = None
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {key}"
        while True:
            params = {"limit": 1000, **({"after": cursor} if cursor else {})}
            page = http.get(f"{base}/api/v1/events", params=params, timeout=30)
            assert page.status_code == 200, page.text
            events += page.json()["data"]
            cursor = page.json()["next_cursor"]
            if not page.json()["has_more"]:
                return events


def row(invariant: str, checked: int, problems: list[str], detail: str = "") -> Row:
    shown = "; ".join([*problems[:5], detail] if problems else [detail])
    return Row(invariant, checked, not problems, shown.strip("; "))


def check(site: Site, clients: Clients, ledger: Ledger, windows: list[Window],
          seconds: float) -> Report:  # fmt: skip
    feed = read_feed(site.serve.base, site.oms_key)
    report = Report("PostgreSQL" if site.postgres else "SQLite", seconds, windows=windows)
    with connection():
        report.rows = [
            orders_once(clients, ledger),
            cancels_once(clients, feed),
            floor_inputs_once(clients, feed),
            *station_scans_once(clients, feed),
            allocated_once(),
            stock_never_negative(clients),
            stock_conserved(),
            delivered_in_order(site, feed),
            no_5xx_while_up(ledger, windows),
            Row("the floor and the OMS resumed after every fault", len(windows), True),
        ]
    orders = sum(len(o.orders) for o in clients.oms)
    inputs = sum(p.acked for p in clients.pickers)
    report.summary = (
        f"{len(ledger.calls)} requests, {orders} orders, {inputs} floor inputs, {len(feed)} events"
    )
    return report


def orders_once(clients: Clients, ledger: Ledger) -> Row:
    acked = {k: v for o in clients.oms for k, v in o.orders.items()}
    stored = Counter(o.external_id for o in Order.select(Order.external_id))
    problems = [p for p in ledger.problems if " order " in p]
    problems += [f"{k} not stored" for k in acked if k not in stored]
    problems += [f"{k} stored but never acknowledged" for k in stored if k not in acked]
    problems += [f"{k} stored {n} times" for k, n in stored.items() if n > 1]
    remembered = ProcessedInput.select().where(ProcessedInput.key.startswith("idem:")).count()
    if remembered != len(stored):
        problems.append(f"{remembered} idempotency keys remembered for {len(stored)} orders")
    replays = sum(o.replays for o in clients.oms)
    return row("every acknowledged order stored once (Idempotency-Key)", len(acked), problems,
               f"{replays} sent twice on purpose")  # fmt: skip


def cancels_once(clients: Clients, feed: list[dict[str, Any]]) -> Row:
    acked = {k for o in clients.oms for k in o.cancelled}
    events = Counter(e["subject"].removeprefix("order:") for e in feed
                     if e["type"] == "order.cancelled")  # fmt: skip
    status = {o.external_id: o.status for o in Order.select(Order.external_id, Order.status)}
    problems = [f"{k} is {status.get(k)}" for k in acked if status.get(k) != "cancelled"]
    problems += [f"{k}: {n} order.cancelled" for k, n in events.items() if n != 1]
    problems += [f"{k} cancelled, not by the OMS" for k in events if k not in acked]
    return row("every acknowledged cancel applied once", len(acked), problems)


def confirmed_units(feed: list[dict[str, Any]]) -> Counter[str]:
    """Units into totes by badge, from the pick.confirmed events."""
    units: Counter[str] = Counter()
    for e in feed:
        if e["type"] == "pick.confirmed":
            units[str(e["actor"]).removeprefix("operator:")] += int(e["data"]["qty"])
    return units


def floor_inputs_once(clients: Clients, feed: list[dict[str, Any]]) -> Row:
    """Every input a kiosk was answered is remembered with that answer, and the units its
    tote scans put in totes are the units the events say its picker picked."""
    units, problems, checked = confirmed_units(feed), [], 0
    for p in clients.pickers:
        if isinstance(p, StationPicker):
            continue
        prefix = f"floor:{p.login.session_id}:"
        stored = {r.key.removeprefix(prefix): r.result for r in ProcessedInput.select().where(
            ProcessedInput.key.startswith(prefix))}  # fmt: skip
        checked += len(p.inputs)
        problems += [f"{p.name}: {i} not remembered" for i in p.inputs if i not in stored]
        problems += [f"{p.name}: {i} remembered another answer" for i, s in p.inputs.items()
                     if i in stored and stored[i] != s]  # fmt: skip
        if units[p.login.badge] != p.units:
            problems.append(f"{p.name}: {p.units} units acknowledged, "
                            f"{units[p.login.badge]} confirmed")  # fmt: skip
    replays = sum(p.replays for p in clients.pickers)
    return row("every acknowledged kiosk input (HTTP, Socket.IO) applied once", checked,
               problems, f"{replays} sent twice on purpose")  # fmt: skip


def station_scans_once(clients: Clients, feed: list[dict[str, Any]]) -> Iterable[Row]:
    units = confirmed_units(feed)
    serial = [p for p in clients.pickers if isinstance(p, StationPicker) and p.bridge is None]
    bridged = [p for p in clients.pickers if isinstance(p, StationPicker) and p.bridge]
    for kind, pickers in (("serial", serial), ("bridge", bridged)):
        problems: list[str] = []
        for p in pickers:
            taken = len(p.taken())
            if taken != p.scans:
                problems.append(f"{p.name}: {p.scans} scans seen taken, {taken} remembered")
            if units[p.login.badge] != p.units:
                problems.append(f"{p.name}: {p.units} units scanned into totes, "
                                f"{units[p.login.badge]} confirmed")  # fmt: skip
            if p.bridge is not None:
                device = p.prefix.split(":")[-2]
                spooled = p.bridge.spooled()
                ingested = HardwareInput.select().where(
                    HardwareInput.event_id.startswith(f"{device}:")).count()  # fmt: skip
                if not spooled == ingested == taken:
                    problems.append(f"{device}: {spooled} spooled, {ingested} ingested, "
                                    f"{taken} taken by the floor")  # fmt: skip
        lost = sum(p.lost for p in pickers)
        if kind == "serial":
            name = "every serial scan (pty at the server) the server read applied once"
            detail = f"{lost} written while the server could not read them, scanned again"
        else:
            name = "every scan a bridge spooled (pty, MQTT) applied once, in order"
            detail = f"{lost} written while the bridge was down, scanned again"
        yield row(name, sum(p.scans for p in pickers), problems, detail)


def allocated_once() -> Row:
    """Each stock row reserves what its allocations hold; each line's `allocated` is what
    its allocations hold; a cancelled order holds nothing; no line holds more than asked."""
    by_stock: Counter[int] = Counter()
    by_line: Counter[int] = Counter()
    for a in Allocation.select():
        by_stock[a.stock_id] += a.qty
        by_line[a.line_id] += a.qty
    problems: list[str] = []
    stocks = list(Stock.select())
    problems += [f"stock {s.id}: reserved {s.reserved}, allocations {by_stock[s.id]}"
                 for s in stocks if s.reserved != by_stock[s.id]]  # fmt: skip
    lines = list(OrderLine.select(OrderLine, Order).join(Order))
    for line in lines:
        order = line.order
        if line.allocated != by_line[line.id]:
            problems.append(f"{order.external_id}/{line.line_id}: allocated {line.allocated}, "
                            f"allocations {by_line[line.id]}")  # fmt: skip
        if line.allocated + line.picked > line.qty:
            problems.append(f"{order.external_id}/{line.line_id}: over-allocated")
        if order.status == "cancelled" and line.allocated:
            problems.append(f"{order.external_id} cancelled, {line.allocated} still allocated")
        if order.status == "accepted" and line.allocated + line.picked != line.qty:
            problems.append(f"{order.external_id} accepted without all its stock")
    return row("every acknowledged order allocated once", len(lines) + len(stocks), problems,
               f"{len(lines)} order lines, {len(stocks)} stock rows")  # fmt: skip


def stock_never_negative(clients: Clients) -> Row:
    final = list(Stock.select())
    bad = [str(r) for r in clients.watch.bad]
    bad += [f"{s.id}: {s.on_hand}/{s.reserved}" for s in final
            if s.on_hand < 0 or s.reserved < 0 or s.reserved > s.on_hand]  # fmt: skip
    return row("stock never negative, never reserved beyond on hand",
               clients.watch.rows + len(final), bad,
               "rows read from GET /stock every 0.25 s, and at the end")  # fmt: skip


def stock_conserved() -> Row:
    """Every unit adjusted in is on a shelf, in a tote, or in a package (shipped or not)."""
    from tests.faults.campaign import STOCK

    def by_sku(query: Any) -> Counter[str]:
        return Counter({sku: int(n or 0) for sku, n in query.tuples()})

    total = peewee.fn.SUM
    shelf = by_sku(Stock.select(Product.sku, total(Stock.on_hand)).join(Product)
                   .group_by(Product.sku))  # fmt: skip
    totes = by_sku(ToteItem.select(Product.sku, total(ToteItem.qty)).join(Product)
                   .group_by(Product.sku))  # fmt: skip
    packed = by_sku(PackageItem.select(Product.sku, total(PackageItem.qty)).join(Product)
                    .where(PackageItem.tote_item.is_null()).group_by(Product.sku))  # fmt: skip
    initial: Counter[str] = Counter()
    for adjustment in STOCK:
        initial[str(adjustment["sku"])] += int(adjustment["delta"])  # type: ignore[call-overload]
    problems = [f"{sku}: {n} in, {shelf[sku]} on shelves + {totes[sku]} in totes + "
                f"{packed[sku]} in packages" for sku, n in initial.items()
                if n != shelf[sku] + totes[sku] + packed[sku]]  # fmt: skip
    moved = sum(totes.values())
    return row("stock conserved (shelf + tote + package = units adjusted in)",
               sum(initial.values()), problems, f"{moved} units in totes")  # fmt: skip


def delivered_in_order(site: Site, feed: list[dict[str, Any]]) -> Row:
    """Every event of the feed from the endpoint's creation on reached the receiver (2xx),
    signed, the first delivery of each in seq order per subject; nothing it did not hold."""
    start = next(i for i, e in enumerate(feed) if e["type"] == "webhook.endpoint_created"
                 and e["data"]["id"] == site.endpoint_id)  # fmt: skip
    expected = feed[start:]
    accepted = list(site.receiver.accepted)
    problems = [f"{len([r for r in accepted if not r.valid])} deliveries badly signed"]
    problems = problems if any(not r.valid for r in accepted) else []
    got = {r.webhook_id for r in accepted}
    missing = [e["id"] for e in expected if e["id"] not in got]
    if missing:
        problems.append(f"{len(missing)} events never delivered: {missing[:3]}")
    known = {e["id"]: e for e in feed}
    problems += [f"{r.webhook_id} delivered, not in the feed" for r in accepted
                 if r.webhook_id not in known or known[r.webhook_id] != r.event]  # fmt: skip
    seen: set[str] = set()
    last: dict[str, int] = {}
    for r in accepted:
        if r.webhook_id in seen:
            continue
        seen.add(r.webhook_id)
        subject, seq = r.event["subject"], int(r.event["seq"])
        if seq < last.get(subject, 0):
            problems.append(f"{subject}: seq {seq} after {last[subject]}")
        last[subject] = seq
    duplicates = len(accepted) - len(seen)
    return row("every event delivered at least once, in order per subject, none missing "
               "against the feed", len(expected), problems,
               f"{duplicates} delivered more than once; {retried(site.endpoint_id)}")  # fmt: skip


def retried(endpoint_id: str) -> str:
    """How far the relay's backoff went: the deliveries that went after failed attempts
    (a delivery's `attempts` counts the one that succeeded too)."""
    d = WebhookDelivery
    endpoint = WebhookEndpoint.get(WebhookEndpoint.endpoint_id == endpoint_id)
    mine = d.select().where(d.endpoint == endpoint)
    failed = mine.where(d.attempts > 1).count()
    most = mine.select(peewee.fn.MAX(d.attempts)).scalar() or 1
    return f"{failed} delivered after failed attempts, up to {most - 1} for one event"


def no_5xx_while_up(ledger: Ledger, windows: list[Window]) -> Row:
    down = [(w.start, w.end + GRACE_S) for w in windows if w.serving]
    answered = [c for c in ledger.calls if c.status is not None]
    errors = [c for c in answered if c.status is not None and c.status >= 500]
    outside = [c for c in errors
               if not any(c.sent <= end and c.answered >= start for start, end in down)]  # fmt: skip

    def since(at: float) -> str:
        ended = [w for w in windows if w.end <= at]
        return f"{at - ended[-1].end:.1f} s after {ended[-1].fault}" if ended else "before any"

    problems = [f"{c.client} {c.what} {c.status}, {since(c.sent)}" for c in outside]
    unanswered = len(ledger.calls) - len(answered)
    return row("no 5xx to a well-formed request outside the moments a process was down",
               len(answered), problems,
               f"{len(errors) - len(outside)} 5xx while the server or its database was "
               f"down or within {GRACE_S:.0f} s of its return, {unanswered} unanswered "
               "(sent again)")  # fmt: skip
