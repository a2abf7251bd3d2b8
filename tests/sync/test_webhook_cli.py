"""floorlink webhook ...: the endpoints' admin operations from the CLI (docs/webhooks.md,
"Endpoints"), with the secret printed once on stdout and the notes on stderr."""

from __future__ import annotations

from pathlib import Path

from server import db
from server.models import WebhookEndpoint
from tests.fixtures.cli import floorlink_on


def test_endpoints_from_the_cli(db_url: str, tmp_path: Path) -> None:
    floorlink = floorlink_on(db_url, tmp_path)
    added = floorlink(
        "webhook", "add", "https://oms.example/hooks", "--events", "order.*, return.*"
    )
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip()
    assert secret.startswith("whsec_")
    assert "store the secret now, it is not shown again" in added.stderr
    endpoint_id = added.stderr.split()[1].rstrip(":")
    assert endpoint_id.startswith("we_"), added.stderr
    bad = floorlink("webhook", "add", "ftp://x/y", "--events", "*")
    assert bad.exit_code == 1 and "http" in bad.output
    no_events = floorlink("webhook", "add", "https://oms.example/hooks")
    assert no_events.exit_code == 2 and "--events" in no_events.output

    listed = floorlink("webhook", "list")
    assert listed.output == (
        f"{endpoint_id}\tactive\torder.*,return.*\t0 owed\thttps://oms.example/hooks\n"
    )
    assert floorlink("webhook", "pause", endpoint_id).output == f"{endpoint_id} is paused\n"
    with db.database.connection_context():
        paused = WebhookEndpoint.get(WebhookEndpoint.endpoint_id == endpoint_id)
    assert paused.status_reason == "paused by an admin"  # as from the API
    again = floorlink("webhook", "pause", endpoint_id)
    assert again.exit_code == 1 and "already paused" in again.output
    assert floorlink("webhook", "resume", endpoint_id).output == f"{endpoint_id} is active\n"
    assert floorlink("webhook", "disable", endpoint_id).output == f"{endpoint_id} is disabled\n"
    assert floorlink("webhook", "enable", endpoint_id).output == f"{endpoint_id} is active\n"

    rotated = floorlink("webhook", "rotate-secret", endpoint_id)
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout.strip().startswith("whsec_") and rotated.stdout.strip() != secret
    assert rotated.stderr.startswith("(old secret valid until ")
    tested = floorlink("webhook", "test", endpoint_id)
    assert tested.output == f"webhook.test queued for {endpoint_id}\n"

    neither = floorlink("webhook", "replay", endpoint_id)
    assert neither.exit_code == 1 and "give either event_id or since" in neither.output
    for since in ("2026-11-23T08:00", "2026-11-23T08:00Z", "2026-11-23"):
        replayed = floorlink("webhook", "replay", endpoint_id, "--since", since)
        assert replayed.exit_code == 0, replayed.output
        assert replayed.output.endswith(f"event(s) queued again for {endpoint_id}\n")
    not_a_time = floorlink("webhook", "replay", endpoint_id, "--since", "yesterday")
    assert not_a_time.exit_code == 2 and "--since" in not_a_time.output
    unknown = floorlink("webhook", "pause", "nope")
    assert unknown.exit_code == 1 and "nope" in unknown.output
