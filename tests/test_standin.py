"""The stand-in answers as Spotify does: shapes checked against the OpenAPI schema, errors, auth, limits."""

import json
import subprocess
import sys
import time
import urllib.parse

import pytest
import requests

from savedlib.standin import StandIn, spawn
from tests.openapi import schema_errors


@pytest.fixture(scope="module")
def api():
    with StandIn(n=300) as server:
        yield server


@pytest.fixture(scope="module")
def token(api):
    return api.token_info()["access_token"]


def get(api, token=None, headers=None, **params):
    headers = headers if headers is not None else {"Authorization": f"Bearer {token}"}
    return requests.get(f"{api.url}/v1/me/tracks", params=params, headers=headers, timeout=10)


@pytest.mark.parametrize("market", [None, "JP", "from_token"])
@pytest.mark.parametrize("dev_mode", [False, True])
def test_pages_match_the_schema(market, dev_mode):
    with StandIn(n=300, dev_mode=dev_mode) as api:
        token = api.token_info()["access_token"]
        for offset in range(0, 300, 50):
            page = get(api, token, offset=offset, limit=50, **({"market": market} if market else {})).json()
            assert schema_errors(page, no_markets=dev_mode or market is not None) == []
            assert len(page["items"]) == 50
            for item in page["items"]:
                track = item["track"]
                if market:
                    assert "available_markets" not in track and isinstance(track["is_playable"], bool)
                    assert "available_markets" not in track["album"]
                if dev_mode:
                    assert "popularity" not in track and "linked_from" not in track


def test_envelope_links_are_absolute_on_its_own_base(api, token):
    page = get(api, token, offset=50, limit=50, market="SE").json()
    assert list(page) == ["href", "items", "limit", "next", "offset", "previous", "total"]
    assert page["href"] == f"{api.url}/v1/me/tracks?offset=50&limit=50&market=SE"
    assert page["next"] == f"{api.url}/v1/me/tracks?offset=100&limit=50&market=SE"
    assert page["previous"] == f"{api.url}/v1/me/tracks?offset=0&limit=50&market=SE"
    first = get(api, token, limit=20).json()
    assert first["previous"] is None and first["limit"] == 20 and first["total"] == 300
    last = get(api, token, offset=280, limit=50).json()
    assert last["next"] is None and len(last["items"]) == 20
    past = get(api, token, offset=300).json()
    assert past["items"] == [] and past["next"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 51}, "Invalid limit"),
        ({"limit": 0}, "Invalid limit"),
        ({"limit": "ten"}, "Invalid limit"),
        ({"offset": -1}, "Invalid offset"),
        ({"market": "XX"}, "Invalid market code"),
        ({"market": "us"}, "Invalid market code"),
        ({"market": "RU"}, "Unlaunched market"),
    ],
)
def test_bad_parameters_get_spotifys_errors(api, token, params, message):
    r = get(api, token, **params)
    assert r.status_code == 400
    assert r.json() == {"error": {"status": 400, "message": message}}


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 401, "No token provided"),
        ({"Authorization": "Basic abc"}, 400, "Only valid bearer authentication supported"),
        ({"Authorization": "Bearer not-a-token"}, 401, "Invalid access token"),
    ],
)
def test_auth_errors(api, headers, status, message):
    r = get(api, headers=headers)
    assert (r.status_code, r.json()["error"]["message"]) == (status, message)


def test_expired_token_and_missing_scope(api):
    expired = api.token_info(lifetime=0)["access_token"]
    assert get(api, expired).json()["error"]["message"] == "The access token expired"
    no_scope = api.token_info(scope="playlist-read-private")["access_token"]
    r = get(api, no_scope)
    assert (r.status_code, r.json()["error"]["message"]) == (403, "Insufficient client scope")


def test_refresh_token_grant(api):
    info = api.token_info()
    r = requests.post(
        f"{api.url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": info["refresh_token"], "client_id": "x"},
        timeout=10,
    )
    new = r.json()
    assert r.status_code == 200 and new["token_type"] == "Bearer" and new["expires_in"] > 0
    assert get(api, new["access_token"]).status_code == 200
    bad = requests.post(
        f"{api.url}/api/token", data={"grant_type": "refresh_token", "refresh_token": "nope"}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"


def test_token_expires_after_n_uses():
    with StandIn(n=100, expire_every=3) as api:
        token = api.token_info()["access_token"]
        assert [get(api, token).status_code for _ in range(4)] == [200, 200, 200, 401]


def test_rate_limit_and_early_requests_counted():
    with StandIn(n=100, rate_limit=(3, 1.0)) as api:
        token = api.token_info()["access_token"]
        statuses = [get(api, token).status_code for _ in range(3)]
        refused = get(api, token)
        assert statuses == [200, 200, 200] and refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 1 and api.stats()["early_requests"] == 0
        time.sleep(0.3)  # past the grace for requests already on their way
        assert get(api, token).status_code == 429  # too early: counted
        assert api.stats()["early_requests"] == 1
        time.sleep(wait)
        assert get(api, token).status_code == 200
        assert api.stats()["statuses"] == {"200": 4, "429": 2}


@pytest.mark.parametrize(("how", "header"), [("missing", None), ("zero", "0"), ("lowercase", "30"), (7200, "7200")])
def test_retry_after_variants(how, header):
    with StandIn(n=10, rate_limit=(1, 30.0), retry_after=how) as api:
        token = api.token_info()["access_token"]
        get(api, token)
        r = get(api, token)
        assert r.status_code == 429
        assert r.headers.get("Retry-After") == header
        if how == "lowercase":
            assert "retry-after" in list(r.raw.headers.keys())


def test_market_playability_and_relinking():
    with StandIn(n=2500) as api:
        token = api.token_info()["access_token"]
        items = [
            i for o in range(0, 2500, 50) for i in get(api, token, offset=o, limit=50, market="JP").json()["items"]
        ]
        full = {i["added_at"] + (i["track"]["name"] or ""): i["track"] for i in api.items}
    unplayable = [i["track"] for i in items if not i["track"]["is_playable"]]
    assert unplayable and all(t["is_local"] or t["restrictions"] == {"reason": "market"} for t in unplayable)
    relinked = [i["track"] for i in items if "linked_from" in i["track"]]
    assert relinked and all(t["is_playable"] and t["linked_from"]["id"] != t["id"] for t in relinked)
    for item in items:
        original = full[item["added_at"] + (item["track"]["name"] or "")]
        if not original["is_local"] and "linked_from" not in item["track"]:
            assert item["track"]["is_playable"] == ("JP" in original["available_markets"])


def test_faults_on_request_numbers():
    with StandIn(n=60, faults={1: "html", 2: "truncated", 3: "503", 4: "drop"}) as api:
        token = api.token_info()["access_token"]
        html = get(api, token)
        assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
        with pytest.raises(json.JSONDecodeError):
            get(api, token).json()
        assert get(api, token).status_code == 503
        with pytest.raises(requests.ConnectionError):
            get(api, token)
        assert get(api, token).status_code == 200


def test_command_line_and_separate_process():
    out = subprocess.run([sys.executable, "-m", "savedlib.standin", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--latency" in out.stdout
    with spawn(n=120, latency=0.01) as api:
        assert urllib.parse.urlsplit(api.url).hostname == "127.0.0.1"
        sp = api.client()
        page = sp.current_user_saved_tracks(limit=50)
        assert page["total"] == 120
        assert sp.next(page)["offset"] == 50  # spotipy follows the absolute next link to the stand-in
        assert api.stats()["page_requests"] == 2


def test_library_changes_after_kth_page():
    from savedlib.standin import Change

    with StandIn(n=200, changes=[Change(after=2, save=5, remove=3)]) as api:
        token = api.token_info()["access_token"]
        first = get(api, token, limit=50).json()
        before = [i["added_at"] for i in api.items]
        second = get(api, token, offset=50, limit=50).json()
        assert first["total"] == second["total"] == 200
        third = get(api, token, offset=100, limit=50).json()
        assert third["total"] == 202 and len(api.items) == 202
        assert api.items[5:] != before and api.stats()["saved_during_read"] == 5
