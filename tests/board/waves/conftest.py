"""A site in manual release: accepted orders wait for a wave."""

from __future__ import annotations

import pytest

from server.areas import load_settings
from server.config import Settings


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        picking={"release": "manual"},
    )
