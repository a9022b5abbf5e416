"""Bad input gets a clear ValueError that names the item and the problem."""

import json

import pytest

import savedlib
from savedlib.items.identity import key
from savedlib.items.raw import RawItem, raw_page
from tests.conftest import local_item, saved


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("not an item", r"item 1: expected a saved-track object .* got str"),
        ({"added_at": "2024-01-01T00:00:00Z"}, r"item 1: not a saved-track object: no 'track' key"),
        ({"track": None}, r"item 1: not a saved-track object: no 'added_at' key"),
        ({"added_at": "yesterday", "track": None}, None),  # a null track is skipped before parsing
    ],
)
def test_not_a_saved_track_object(track, bad, message):
    items = [saved(track), bad]
    if message is None:
        assert len(savedlib.from_items(items)) == 1
        return
    with pytest.raises(ValueError, match=message):
        savedlib.from_items(items)


def test_unparseable_added_at_names_position(track):
    items = [saved(track), saved(track), saved(track, added_at="last Tuesday")]
    with pytest.raises(ValueError, match=r"item 2: added_at 'last Tuesday' is not an ISO 8601 timestamp"):
        savedlib.from_items(items)


def test_position_counts_skipped_null_tracks(track):
    items = [{"added_at": "x", "track": None}, saved(track, added_at="not a date")]
    with pytest.raises(ValueError, match=r"item 1: added_at"):
        savedlib.from_items(items)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duration_ms": "3:45"}, r"item 1: track\.duration_ms should be int64, got str '3:45'"),
        ({"explicit": "yes"}, r"item 1: track\.explicit should be bool, got str"),
        ({"artists": "Squirrel Nut Zippers"}, r"item 1: track\.artists should be a list, got str"),
        ({"album": ["x"]}, r"item 1: track\.album should be an object, got list"),
        ({"name": 42}, r"item 1: track\.name should be string, got int"),
    ],
)
def test_wrong_types_name_item_and_field(track, change, message):
    with pytest.raises(ValueError, match=message):
        savedlib.from_items([saved(track), saved(track, **change)])


def test_track_not_an_object(track):
    with pytest.raises(ValueError, match=r"item 0: track should be an object, got str"):
        savedlib.from_items([{"added_at": "2024-01-01T00:00:00Z", "track": "3n3Ppam7vgaVa1iaRUc9Lp"}])


# --- items as the bytes Spotify sent (how savedlib.load holds them) --------------------------------


def as_raw(items, indent=None):
    """The items as savedlib.load reads them off a page: split by msgspec, identities decoded."""
    page = json.dumps({"items": items, "total": len(items)}, indent=indent).encode()
    parsed = raw_page(page)
    assert parsed is not None
    return parsed[0]


@pytest.mark.parametrize("indent", [None, 2])  # Spotify answers pretty-printed JSON
def test_raw_items_build_the_same_library_as_decoded_ones(track, indent):
    items = [*savedlib.demo_items(300), {"added_at": "2024-01-01T00:00:00Z", "track": None}]
    items += [saved(track, name='Multi\nline "name"'), local_item()]
    raw = as_raw(items, indent)
    assert all(isinstance(i, RawItem) for i in raw) and raw[0].key == key(items[0])
    lib = savedlib.from_items(raw)
    assert lib.equals(savedlib.from_items(items)) and lib.info["skipped_null_tracks"] == 1
    assert raw[5]["track"]["name"] == items[5]["track"]["name"]  # a field decodes on demand


def test_raw_items_that_do_not_fit_get_the_same_clear_error(track):
    raw = as_raw([saved(track), saved(track, duration_ms="3:45")])
    with pytest.raises(ValueError, match=r"item 1: track.duration_ms should be int64, got str '3:45'"):
        savedlib.from_items(raw)


def test_a_page_with_an_item_of_another_shape_is_decoded_in_full():
    assert raw_page(b'{"items": [{"track": {}}], "total": 1}') is None  # no added_at: the checks will say so
    assert raw_page(b'{"items": [["not", "an", "object"]], "total": 1}') is None
    assert raw_page(b"<html>") is None
