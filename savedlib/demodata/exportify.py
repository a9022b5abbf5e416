"""The demo library written as the two Exportify exporters write it, so that notebooks and tests read a real file.

Every quirk their code has is reproduced (see ``savedlib.sources.exportify``):
exportify.net's hand-written quoting, ``;``-joined artists, ``undefined`` for a
missing label and rows cut short where audio features did not come back;
watsonbox's quoted cells, ``, ``-joined lists with ``\\,`` inside names,
``null`` for missing values and translated headers. The labels and audio
features are made up, deterministically, from a random stream of their own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from savedlib.demodata import names
from savedlib.library import AUDIO_FEATURES, Library
from savedlib.sources.exportify import FEATURE_HEADERS
from savedlib.sources.exportify_headers import BY_LANGUAGE

EXPORTIFY_NET_HEADER = (
    "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,"
    "Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,"
    "Instrumentalness,Liveness,Valence,Tempo,Time Signature"
)
WATSONBOX_BASE = [
    "Track URI", "Track Name", "Artist URI(s)", "Artist Name(s)", "Album URI", "Album Name", "Album Artist URI(s)",
    "Album Artist Name(s)", "Album Release Date", "Album Image URL", "Disc Number", "Track Number",
    "Track Duration (ms)", "Track Preview URL", "Explicit", "Popularity", "ISRC", "Is Playable", "Added By",
    "Added At",
]  # fmt: skip


def extras(lib: Library, seed: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """Made-up record labels (per album; a tenth unknown) and audio features (per track; one in twenty
    without) for ``lib``: what Exportify files carry and the Web API no longer sends."""
    rng = np.random.Generator(np.random.PCG64(seed + 999))
    t = lib.tracks
    albums = t["album_id"].dropna().unique()
    pick = rng.integers(0, len(names.LABELS), len(albums))
    label_of = {a: (names.LABELS[p] if rng.random() > 0.1 else None) for a, p in zip(albums, pick, strict=True)}
    labels = t["album_id"].map(label_of)
    n = len(t)
    features = pd.DataFrame(
        {
            "danceability": rng.beta(5, 3, n).round(3),
            "energy": rng.beta(4, 3, n).round(3),
            "key": rng.integers(0, 12, n),
            "loudness": rng.normal(-7, 3, n).round(3),
            "mode": rng.integers(0, 2, n),
            "speechiness": rng.beta(1, 12, n).round(4),
            "acousticness": rng.beta(1, 3, n).round(4),
            "instrumentalness": np.where(rng.random(n) < 0.8, rng.beta(1, 40, n), rng.beta(3, 2, n)).round(4),
            "liveness": rng.beta(2, 9, n).round(3),
            "valence": rng.beta(3, 3, n).round(3),
            "tempo": rng.normal(118, 25, n).clip(60, 200).round(3),
            "time_signature": np.where(rng.random(n) < 0.93, 4, 3),
        },
        index=t.index,
    )
    missing = (rng.random(n) < 0.05) | t["is_local"].to_numpy(dtype=bool)
    return labels, features.mask(pd.Series(missing, index=t.index), axis=0)


def _quote(text: object) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _exportify_net_rows(lib: Library, labels: pd.Series, features: pd.DataFrame, genres: pd.Series) -> list[str]:
    t, rows = lib.tracks, []
    artists = lib.artists.groupby("item")["artist_name"].agg(lambda s: ";".join(x.replace(";", "") for x in s))
    artists, genres, labels = artists.to_dict(), genres.to_dict(), labels.tolist()  # plain look-ups, row by row
    has, feature_cells = _feature_cells(features)
    for k, r in enumerate(t.itertuples()):
        cells = [
            r.track_uri, _quote(r.track_name), _quote(r.album_name), _quote(artists.get(r.Index, "")),
            r.album_release_date if isinstance(r.album_release_date, str) else "", str(r.duration_ms),
            "0" if pd.isna(r.popularity) else str(r.popularity), str(bool(r.explicit)).lower(), "",
            f"{r.added_at:%Y-%m-%dT%H:%M:%SZ}", _quote(genres.get(r.Index, "")),
            _quote(labels[k] if isinstance(labels[k], str) else "undefined"),
        ]  # fmt: skip
        if has[k]:
            cells += feature_cells[k]
        elif k % 2:  # the feature batch did not come back: the row ends early
            pass
        else:
            cells += [""] * len(AUDIO_FEATURES)
        rows.append(",".join(cells))
    return rows


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _feature_cells(features: pd.DataFrame) -> tuple[np.ndarray, list[list[str]]]:
    """Per row: whether it has audio features, and their cells as text ("" where missing), column by column."""
    columns = [features[n].map(lambda v: "" if pd.isna(v) else _number(v)).tolist() for n in AUDIO_FEATURES]
    return features.notna().any(axis=1).to_numpy(), [list(row) for row in zip(*columns, strict=True)]


def _watsonbox_rows(lib: Library, labels: pd.Series, features: pd.DataFrame, genres: pd.Series) -> list[str]:
    t, a = lib.tracks, lib.artists
    escaped = a.assign(
        name=a["artist_name"].fillna("").str.replace(",", "\\,"), uri="spotify:artist:" + a["artist_id"].fillna("")
    )
    names_of = escaped.groupby("item")["name"].agg(", ".join)
    uris_of = escaped[a["artist_id"].notna()].groupby("item")["uri"].agg(", ".join).to_dict()
    names_of, genres, labels = names_of.to_dict(), genres.to_dict(), labels.tolist()  # plain look-ups, row by row
    rows = []
    _, feature_cells = _feature_cells(features)
    for k, r in enumerate(t.itertuples()):
        local = bool(r.is_local)
        cells = [
            r.track_uri, r.track_name, uris_of.get(r.Index, ""), names_of.get(r.Index, ""),
            r.album_uri if isinstance(r.album_uri, str) else "", r.album_name,
            "" if local else uris_of.get(r.Index, "").split(", ")[0],
            "" if local else names_of.get(r.Index, "").split(", ")[0],
            r.album_release_date if isinstance(r.album_release_date, str) else "",
            r.album_image_url if isinstance(r.album_image_url, str) else "",
            str(0 if pd.isna(r.disc_number) else r.disc_number), str(0 if pd.isna(r.track_number) else r.track_number),
            str(r.duration_ms), "", str(bool(r.explicit)).lower(), str(0 if pd.isna(r.popularity) else r.popularity),
            r.isrc if isinstance(r.isrc, str) else "", "true", "", f"{r.added_at:%Y-%m-%dT%H:%M:%SZ}",
            genres.get(r.Index, ""),
        ]  # fmt: skip
        cells += feature_cells[k]
        label = labels[k] if isinstance(labels[k], str) else None
        cells += ["", "null" if label is None else label, "" if label is None else f"C 2020 {label}, P 2020 {label}"]
        rows.append(",".join(_quote(c) for c in cells))
    return rows


def write_exportify(
    path: str | Path, lib: Library, flavour: str = "exportify.net", language: str = "en", seed: int = 0
) -> Path:
    """Write ``lib`` (a demo library) as ``flavour``'s exporter writes Liked Songs: "exportify.net" or
    "watsonbox" (its headers in ``language``: one of the 15 it ships)."""
    labels, features = extras(lib, seed)
    genres = lib.genres.assign(genre=lib.genres["genre"].astype(str)).groupby("item")["genre"].agg(",".join)
    path = Path(path)
    if flavour == "exportify.net":
        rows = _exportify_net_rows(lib, labels, features, genres)
        text = "\ufeff" + EXPORTIFY_NET_HEADER + "\n" + "".join(r + "\n" for r in rows)
    elif flavour == "watsonbox":
        table = BY_LANGUAGE[language]
        headers = [*WATSONBOX_BASE, "Artist Genres", *FEATURE_HEADERS, "Album Genres", "Label", "Copyrights"]
        head = ",".join(_quote(table.get(h, h)) for h in headers)
        text = head + "\n" + "".join(r + "\n" for r in _watsonbox_rows(lib, labels, features, genres))
    else:
        raise ValueError(f"flavour must be 'exportify.net' or 'watsonbox', not {flavour!r}")
    path.write_text(text, encoding="utf-8", newline="")
    return path
