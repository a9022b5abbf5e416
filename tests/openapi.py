"""Validate pages against the community OpenAPI description of the Web API (a copy in fixtures/)."""

from __future__ import annotations

import functools
from pathlib import Path

import jsonschema
import yaml

SPEC = Path(__file__).parent / "fixtures" / "spotify-web-api.yml"


def _nullable_to_json_schema(node):
    if isinstance(node, dict):
        node = {k: _nullable_to_json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            node = {**node, "type": [node["type"], "null"]} if "type" in node else {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable_to_json_schema(v) for v in node]
    return node


@functools.cache
def validator(no_markets: bool = False, schema: str = "PagingSavedTrackObject") -> jsonschema.Draft7Validator:
    """``PagingSavedTrackObject``, strict. ``no_markets`` makes the one relaxation the spec's README
    names, ``AlbumBase.required`` without ``available_markets``: Development Mode apps never get
    it, and Spotify leaves it out of answers read with a market (spotify-api-facts.md)."""
    schemas = _nullable_to_json_schema(yaml.safe_load(SPEC.read_text())["components"]["schemas"])
    if no_markets:
        schemas["AlbumBase"]["required"].remove("available_markets")
    root = {"$ref": f"#/components/schemas/{schema}", "components": {"schemas": schemas}}
    return jsonschema.Draft7Validator(root)


#: Where the real API departs from the spec, as spotify-api-facts.md records: local files carry
#: null ids, hrefs, URIs, album types and release dates; album_type is sometimes upper case.
LOCAL_FILE_NULLS = {
    ("album", "album_type"),
    ("album", "href"),
    ("album", "id"),
    ("album", "release_date"),
    ("album", "release_date_precision"),
    ("album", "uri"),
    ("artists", "href"),
    ("artists", "id"),
    ("artists", "uri"),
    ("href",),
    ("id",),
}


def schema_errors(page: dict, no_markets: bool = False, schema: str = "PagingSavedTrackObject") -> list[str]:
    """Every schema error not explained by a documented quirk (``schema``: what ``page`` should be)."""
    unexplained = []
    for error in validator(no_markets, schema).iter_errors(page):
        path = list(error.absolute_path)
        if path[:1] == ["items"] and len(path) > 3 and path[2] == "track":
            item = page["items"][path[1]]["track"]
            field = tuple(p for p in path[3:] if not isinstance(p, int))
            if item.get("is_local") and error.instance is None and field in LOCAL_FILE_NULLS:
                continue
            if field == ("album", "album_type") and error.instance == "ALBUM":
                continue
        unexplained.append(f"{path}: {error.message}")
    return unexplained
