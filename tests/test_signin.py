"""Signing in end to end against the stand-in's accounts service: PKCE, the paste-back box, the redirect
caught on loopback, the terminal prompt, the token cache, and every failure people actually hit."""

import builtins
import json
import logging
import os
import socket
import stat

import pytest
import requests

import savedlib
from savedlib.signin import SignIn, connect, sign_out
from savedlib.standin import StandIn
from tests.conftest import api_library, assert_same_library

CLIENT = "savedlib-standin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redirect():
    return f"http://127.0.0.1:{free_port()}/callback"


@pytest.fixture
def api(redirect):
    with StandIn(n=300, redirect_uris=(redirect,)) as server:
        yield server


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SAVEDLIB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def flow_for(api, redirect, cache, **kwargs) -> SignIn:
    return SignIn(CLIENT, redirect, accounts_url=api.url, api_url=f"{api.url}/v1/", **kwargs)


def sent_back_to(flow: SignIn) -> str:
    """What the browser does: open the link, agree, get sent back (we read where to, without following)."""
    r = requests.get(flow.authorize_url(), allow_redirects=False, timeout=10)
    assert r.status_code == 302
    return r.headers["Location"]


def test_paste_back_in_the_widget_then_load(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    box = flow.widget()
    w = flow._widgets
    assert "Sign in to Spotify" in w["link"].value and "code_challenge=" in w["link"].value
    assert "state=" + flow.state in flow.authorize_url()
    w["pasted"].value = sent_back_to(flow)
    w["button"].click()
    assert flow.user == "Demo Listener" and "Signed in as Demo Listener" in w["status"].value
    assert "Development Mode" in w["status"].value  # says what such apps do not get
    assert w["pasted"].value == ""  # the single-use code is not left on screen
    lib = savedlib.load(flow.client, progress=False)
    assert_same_library(lib, api_library(300))
    link, paste_row, status = box.children  # the box a person sees: the link, the paste box, the status
    assert link is w["link"] and list(paste_row.children) == [w["pasted"], w["button"]] and status is w["status"]


def test_token_file_private_from_the_start(api, redirect, cache):
    old = os.umask(0)  # even with a permissive umask
    try:
        flow = flow_for(api, redirect, cache)
        flow.finish(sent_back_to(flow))
    finally:
        os.umask(old)
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].name == f"spotify-token-{CLIENT}.json"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    token = json.loads(files[0].read_text())
    for text in (repr(flow), repr(flow.cache), flow.status):
        assert token["access_token"] not in text and token["refresh_token"] not in text


def test_redirect_caught_on_loopback(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    assert flow.catch_redirect()
    page = requests.get(flow.authorize_url(), timeout=10)  # the browser follows the redirect to us
    assert page.status_code == 200 and "Signed in as Demo Listener" in page.text
    assert flow.user == "Demo Listener"
    assert len(savedlib.load(flow.client, progress=False)) == 300


def test_connect_reuses_the_saved_sign_in(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    flow.finish(sent_back_to(flow))
    sp = connect(CLIENT, redirect, accounts_url=api.url, api_url=f"{api.url}/v1/", interactive=False)
    assert len(savedlib.load(sp, progress=False)) == 300
    assert api.stats()["page_requests"] == 7


def test_connect_without_sign_in_and_not_interactive(api, redirect, cache):
    with pytest.raises(savedlib.SignInAgain, match="not signed in"):
        connect(CLIENT, redirect, accounts_url=api.url, api_url=f"{api.url}/v1/", interactive=False)


def test_terminal_prompt(api, redirect, cache, monkeypatch, capsys):
    seen = {}

    def fake_input(prompt):
        seen["prompt"] = prompt
        link = capsys.readouterr().out.split("\n\n  ")[1].split("\n")[0]
        return requests.get(link, allow_redirects=False, timeout=10).headers["Location"]

    monkeypatch.setattr(builtins, "input", fake_input)
    other = f"http://127.0.0.1:{free_port()}/callback"
    api.state.knobs.redirect_uris = (other,)
    sp = connect(CLIENT, other, accounts_url=api.url, api_url=f"{api.url}/v1/", interactive="terminal")
    assert "paste the address" in seen["prompt"]
    assert "Signed in as Demo Listener" in capsys.readouterr().out
    assert len(savedlib.load(sp, progress=False)) == 300


def test_environment_variables(api, redirect, cache, monkeypatch):
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", CLIENT)
    monkeypatch.setenv("SPOTIPY_REDIRECT_URI", redirect)
    flow = SignIn(accounts_url=api.url, api_url=f"{api.url}/v1/")
    assert flow.client_id == CLIENT and flow.redirect_uri == redirect
    flow.finish(sent_back_to(flow))
    assert sign_out() == [cache / f"spotify-token-{CLIENT}.json"]
    assert sign_out() == []


def test_no_client_id_explains_how_to_make_an_app(monkeypatch):
    monkeypatch.delenv("SPOTIPY_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTIPY_REDIRECT_URI", raising=False)
    with pytest.raises(savedlib.SetupNeeded) as caught:
        savedlib.connect()
    text = str(caught.value)
    for needed in (
        "developer.spotify.com/dashboard",
        "http://127.0.0.1:8888/callback",
        "SPOTIPY_CLIENT_ID",
        "User Management",
        "no popularity",
    ):
        assert needed in text


def test_state_must_match(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    address = sent_back_to(flow).replace(f"state={flow.state}", "state=someone-else")
    with pytest.raises(savedlib.SignInError, match="different sign-in attempt"):
        flow.finish(address)
    assert not flow.signed_in


def test_person_declines(redirect, cache):
    with StandIn(n=10, redirect_uris=(redirect,), deny=True) as api:
        flow = flow_for(api, redirect, cache)
        with pytest.raises(savedlib.SignInError, match="did not agree"):
            flow.finish(sent_back_to(flow))


def test_redirect_uri_not_registered_and_mismatched(api, redirect, cache):
    stray = SignIn(CLIENT, "http://127.0.0.1:1/elsewhere", accounts_url=api.url, api_url=f"{api.url}/v1/")
    page = requests.get(stray.authorize_url(), allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "INVALID_CLIENT: Invalid redirect URI" in page.text  # what the browser shows
    flow = flow_for(api, redirect, cache)
    address = sent_back_to(flow)
    flow.manager.redirect_uri = "http://127.0.0.1:2/other"  # exchanged with another URI than authorized
    with pytest.raises(savedlib.SignInError, match=r"redirect URI does not match .*register exactly"):
        flow.finish(address)


def test_wrong_client_id(api, redirect, cache):
    flow = SignIn("not-my-app", redirect, accounts_url=api.url, api_url=f"{api.url}/v1/")
    page = requests.get(flow.authorize_url(), allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "Invalid client" in page.text


def test_person_not_added_to_the_development_mode_app(redirect, cache):
    with StandIn(n=10, redirect_uris=(redirect,), registered=False) as api:
        flow = flow_for(api, redirect, cache)
        with pytest.raises(savedlib.SignInError, match=r"not registered.*User Management"):
            flow.finish(sent_back_to(flow))
        assert not flow.signed_in  # nothing kept


def test_missing_scope(redirect, cache):
    with StandIn(n=10, redirect_uris=(redirect,), granted_scope="playlist-read-private") as api:
        flow = flow_for(api, redirect, cache)
        with pytest.raises(savedlib.SignInError, match="without the scope user-library-read"):
            flow.finish(sent_back_to(flow))


def test_expired_or_revoked_sign_in_asks_again(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    flow.finish(sent_back_to(flow))
    info = flow.cache.get_cached_token()
    flow.cache.save_token_to_cache({**info, "expires_at": 0})  # the access token has expired...
    api.revoke_refresh_tokens()  # ...and the refresh token was revoked (invalid_grant)
    again = flow_for(api, redirect, cache)
    assert not again.resume()
    assert "expired or was revoked (invalid_grant): sign in again" in again.status
    assert not again.signed_in  # the dead sign-in was removed
    with pytest.raises(savedlib.SignInAgain):
        connect(CLIENT, redirect, accounts_url=api.url, api_url=f"{api.url}/v1/", interactive=False)


def test_load_before_finishing_says_so(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    flow.widget()
    with pytest.raises(savedlib.SignInAgain, match="not signed in yet"):
        savedlib.load(flow.client, progress=False)


def test_no_secret_in_logs(api, redirect, cache, caplog):
    caplog.set_level(logging.DEBUG)
    flow = flow_for(api, redirect, cache)
    address = sent_back_to(flow)
    flow.finish(address)
    code = address.split("code=")[1].split("&")[0]
    token = flow.cache.get_cached_token()
    assert "Sending POST request" in caplog.text  # spotipy did log the exchange...
    for secret in (code, flow.manager.code_verifier, token["access_token"], token["refresh_token"]):
        assert secret not in caplog.text  # ...without the secrets


def test_stand_in_checks_the_pkce_verifier(api, redirect, cache):
    flow = flow_for(api, redirect, cache)
    code = sent_back_to(flow).split("code=")[1].split("&")[0]
    r = requests.post(
        f"{api.url}/api/token",
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": CLIENT,
            "code_verifier": "not-the-verifier",
        },
    )
    assert r.status_code == 400 and r.json()["error_description"] == "code_verifier was incorrect"
    assert flow.cache.get_cached_token() is None  # a refused exchange writes no token file
    assert not list(cache.glob("spotify-token-*"))


def test_the_notebooks_one_switch(api, redirect, cache, monkeypatch):
    assert savedlib.open_library(mine=False).equals(savedlib.demo())
    where = {"client_id": CLIENT, "redirect_uri": redirect, "accounts_url": api.url, "api_url": f"{api.url}/v1/"}
    monkeypatch.setattr(
        builtins,
        "input",
        lambda prompt: requests.get(SignIn(**where).authorize_url(), allow_redirects=False, timeout=10).headers[
            "Location"
        ],
    )
    with pytest.raises(savedlib.SignInError, match="different sign-in attempt"):
        savedlib.open_library(mine=True, progress=False, **where)  # an address from another attempt is refused
    flow = SignIn(**where)
    flow.finish(sent_back_to(flow))
    lib = savedlib.open_library(mine=True, progress=False, **where)  # the saved sign-in is reused: no prompt
    assert len(lib) == 300 and lib.info["source"].startswith("Spotify Web API at")


def test_the_switch_offers_genres_in_one_line_and_a_spent_quota_only_warns(redirect, cache):
    api = StandIn(n=300, redirect_uris=(redirect,)).start()  # the full shape: Spotify can send genres
    where = {"client_id": CLIENT, "redirect_uri": redirect, "accounts_url": api.url, "api_url": f"{api.url}/v1/"}
    flow = SignIn(**where)
    flow.finish(sent_back_to(flow))
    before = api.state.api_requests
    savedlib.open_library(mine=True, progress=False, **where)
    load_cost = api.state.api_requests - before
    api.state.knobs.daily_quota = api.state.api_requests + load_cost + 1  # a load, then one batch of artists
    with pytest.warns(UserWarning, match="daily request quota is spent.*asks only for the"):
        some = savedlib.open_library(mine=True, genres=True, progress=False, **where)
    assert some.info["genres"]["asked"] == 50 and some.info["genres"]["remaining"] > 0
    api.state.knobs.daily_quota = None  # the next day
    lib = savedlib.open_library(mine=True, genres=True, progress=False, **where)
    remaining = some.info["genres"]["remaining"]
    assert lib.info["genres"]["remaining"] == 0 and lib.info["genres"]["requests"] == -(-remaining // 50)
    assert lib.genres.equals(savedlib.demo(300).genres)
    assert (cache / "artists").is_dir()  # the artist cache sits beside the sign-in
    api.stop()


def test_the_switch_takes_a_development_mode_library_straight_to_open_data(redirect, cache):
    from savedlib.standin.opendata import OpenDataStandIn

    api = StandIn(n=300, dev_mode=True, redirect_uris=(redirect,)).start()
    where = {"client_id": CLIENT, "redirect_uri": redirect, "accounts_url": api.url, "api_url": f"{api.url}/v1/"}
    flow = SignIn(**where)
    flow.finish(sent_back_to(flow))
    with OpenDataStandIn(items=api.items, musicbrainz_rate=20.0, listenbrainz_limit=(100, 1.0)) as open_api:
        lib = savedlib.open_library(mine=True, genres=True, progress=False, open_data={**open_api.options(),
                                    "progress": False}, **where)  # fmt: skip
        assert open_api.stats()["musicbrainz"]["requests"] > 0
    assert api.stats()["artist_requests"] == {}  # not one artist request to Spotify
    assert lib.info["genres"]["source"] == "MusicBrainz genres via ListenBrainz" and not lib.genres.empty
    assert lib.tracks["listeners"].notna().any() and lib.tracks["popularity"].isna().all()
    assert (cache / "opendata").is_dir()
    api.stop()


def test_several_scopes(api, redirect, cache):
    flow = SignIn(
        CLIENT, redirect, scope="user-library-read user-read-email", accounts_url=api.url, api_url=f"{api.url}/v1/"
    )
    flow.finish(sent_back_to(flow))
    assert flow.signed_in and flow.user == "Demo Listener"


def test_an_outage_keeps_the_sign_in(redirect, cache):
    with StandIn(n=10, redirect_uris=(redirect,)) as api:
        flow = flow_for(api, redirect, cache)
        flow.finish(sent_back_to(flow))
        url = api.url
    flow.cache.save_token_to_cache({**flow.cache.get_cached_token(), "expires_at": 0})
    again = SignIn(CLIENT, redirect, accounts_url=url, api_url=f"{url}/v1/")  # nobody answers there now
    with pytest.raises(savedlib.SignInError, match=r"could not be reached|did not answer"):
        again.resume()
    assert again.signed_in  # the saved sign-in is still there for later
