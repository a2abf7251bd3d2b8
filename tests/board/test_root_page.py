"""The root URL is a page of links (the kiosk, the board, the API documents), not a 404."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_the_root_page_links_to_the_kiosk_the_board_and_the_api(client: FlaskClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    for href in ("/kiosk/", "/kiosk/board", "/api/v1/openapi.json", "/api/floor/v1/openapi.json"):
        assert f'href="{href}"' in page, href
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    for href in ("/kiosk/", "/kiosk/board", "/api/v1/openapi.json", "/api/floor/v1/openapi.json"):
        assert client.get(href).status_code == 200, href


def test_the_board_page_is_the_kiosk_page_starting_at_the_board(client: FlaskClient) -> None:
    page = client.get("/kiosk/board").get_data(as_text=True)
    assert 'data-start="board"' in page and 'id="board"' in page
