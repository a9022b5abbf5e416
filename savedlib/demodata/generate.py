"""A deterministic, realistic saved-tracks library in the raw ``/v1/me/tracks`` shape.

Every random draw comes from one ``numpy.random.Generator(PCG64(seed))`` and is
vectorised; only the final assembly of the JSON-shaped dicts is a Python loop,
because the product *is* a list of dicts. Same ``n``, ``seed`` and
``dev_mode`` give the same items on any machine (numpy is pinned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from savedlib.demodata import names
from savedlib.demodata.objects import item_object
from savedlib.items.shape import to_dev_mode
from savedlib.markets import SPOTIFY_MARKETS

#: The newest save in the demo library; the library spans ten years before it.
END = np.datetime64("2026-10-31T22:00:00", "s")
DAYS = 3652

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype="S1")
_HEX = np.frombuffer(b"0123456789abcdef", dtype="S1")

_REGIONS = {
    "latam": [
        "AR",
        "BO",
        "BR",
        "CL",
        "CO",
        "CR",
        "DO",
        "EC",
        "GT",
        "HN",
        "MX",
        "NI",
        "PA",
        "PE",
        "PY",
        "SV",
        "UY",
        "VE",
    ],
    "europe": [
        "AD",
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ],
    "north_america": ["US", "CA"],
    "japan": ["JP"],
    "korea": ["KR"],
    "asia": ["HK", "ID", "IN", "JP", "KR", "MY", "PH", "SG", "TH", "TW", "VN"],
    "mena": ["AE", "BH", "DZ", "EG", "IQ", "JO", "KW", "LB", "MA", "OM", "QA", "SA", "TN"],
}


def _ids(rng: np.random.Generator, count: int, length: int = 22, alphabet=_BASE62) -> list[str]:
    """``count`` random strings of ``length`` characters from ``alphabet``."""
    picks = alphabet[rng.integers(0, len(alphabet), size=(count, length))]
    return [s.decode() for s in picks.view(f"S{length}").ravel()]


def _pick(rng: np.random.Generator, words: list[str], count: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), count)]


@dataclass
class _Artists:
    ids: list[str]
    names: np.ndarray
    weight: np.ndarray  # sampling probability, long-tailed
    popularity: np.ndarray  # base popularity 0..100
    explicit_rate: np.ndarray


def _artists(rng: np.random.Generator, count: int) -> _Artists:
    rank = np.arange(count)
    weight = 1.0 / (rank + 10.0)
    weight /= weight.sum()
    kind = rng.random(count)
    solo = _pick(rng, names.FIRST_NAMES, count) + " " + _pick(rng, names.LAST_NAMES, count)
    band = "The " + _pick(rng, names.ADJECTIVES, count) + " " + _pick(rng, names.BAND_NOUNS, count)
    duo = _pick(rng, names.NOUNS, count) + " & " + _pick(rng, names.NOUNS, count)
    artist_names = np.where(kind < 0.5, solo, np.where(kind < 0.85, band, duo))
    special = rng.random(count) < 0.04
    artist_names[special] = _pick(rng, names.SPECIAL_ARTISTS, int(special.sum()))
    # Make names unique so the demo's artists are easy to tell apart.
    seen: dict[str, int] = {}
    for i, name in enumerate(artist_names):
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k:
            artist_names[i] = f"{name} {_roman(k + 1)}"
    popularity = np.clip(85 - 11 * np.log10(rank + 1) + rng.normal(0, 8, count), 0, 100)
    explicit_rate = np.where(rng.random(count) < 0.3, rng.uniform(0.3, 0.9, count), 0.02)
    return _Artists(_ids(rng, count), artist_names, weight, popularity, explicit_rate)


def _roman(k: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while k >= value:
            out += letters
            k -= value
    return out


def _save_times(rng: np.random.Generator, n: int) -> np.ndarray:
    """Save times (``datetime64[s]``): a trend, bursts, quiet spells, weekly and daily rhythm."""
    day = np.arange(DAYS)
    # A slowly wandering level: the person's mood for discovering music.
    # An AR(1) process: it drifts for months but keeps coming back.
    shocks = rng.normal(0, 0.07, DAYS)
    walk = np.empty(DAYS)
    walk[0] = 0.0
    for d in range(1, DAYS):
        walk[d] = 0.995 * walk[d - 1] + shocks[d]
    level = np.exp(walk) * np.linspace(0.5, 1.6, DAYS)
    # Bursts: a new favourite album, a playlist binge.
    bursts = rng.choice(DAYS, size=max(8, DAYS // 60), replace=False)
    level[bursts] *= rng.uniform(6, 25, bursts.size)
    # Quiet spells: exams, a new job, a break from music.
    for start in rng.choice(DAYS - 150, size=4, replace=False):
        level[start : start + rng.integers(30, 120)] *= 0.04
    start_day = END.astype("datetime64[D]") - DAYS + 1
    weekday = (start_day + day).astype("datetime64[D]").view("int64") % 7  # 0 = Thursday
    weekly = np.array([1.0, 1.25, 1.45, 1.3, 0.9, 0.95, 1.0])[weekday]
    p = level * weekly
    days = rng.choice(DAYS, size=n, p=p / p.sum())
    hourly = np.array(
        [6, 4, 2, 1, 0.6, 0.5, 0.8, 2, 3, 3.5, 3.5, 4, 5, 4.5, 4, 4.5, 5.5, 7, 8.5, 10, 11, 11, 10, 8],
    )
    hours = rng.choice(24, size=n, p=hourly / hourly.sum())
    seconds = rng.integers(0, 3600, n)
    times = start_day.astype("datetime64[s]") + days * 86400 + hours * 3600 + seconds
    return np.minimum(times, END)


def _market_lists(rng: np.random.Generator, count: int) -> list[list[str]]:
    """One ``available_markets`` list per album: mostly worldwide, some regional, some none."""
    world = list(SPOTIFY_MARKETS)
    regional = {name: codes for name, codes in _REGIONS.items()}
    draw = rng.random(count)
    region_names = list(regional)
    which = rng.integers(0, len(region_names), count)
    out: list[list[str]] = []
    for i in range(count):
        u = draw[i]
        if u < 0.72:
            out.append(world)  # shared: identical lists are common and read-only here
        elif u < 0.80:
            drop = set(rng.choice(world, size=int(rng.integers(1, 12)), replace=False))
            out.append([m for m in world if m not in drop])
        elif u < 0.90:
            out.append(sorted(regional[region_names[which[i]]]))
        elif u < 0.97:
            drop = set(regional[region_names[which[i]]])
            out.append([m for m in world if m not in drop])
        else:
            out.append([])
    return out


def _release_dates(rng: np.random.Generator, first_save: np.ndarray) -> tuple[list[str], list[str]]:
    """Album release dates as Spotify sends them, with all three precisions and the odd ``"0000"``."""
    count = first_save.size
    u = rng.random(count)
    age_days = np.where(
        u < 0.3,
        rng.uniform(0, 180, count),  # new releases
        np.where(
            u < 0.8,
            np.minimum(rng.lognormal(np.log(3 * 365), 1.0, count), 70 * 365),  # the last few years
            rng.uniform(10 * 365, 60 * 365, count),  # classics
        ),
    )
    released = (first_save.astype("datetime64[D]") - age_days.astype("int64")).astype("datetime64[D]")
    released = np.maximum(released, np.datetime64("1950-01-01"))
    year = released.astype("datetime64[Y]").astype(int) + 1970
    u = rng.random(count)
    old = year < 1980
    precision = np.where(
        old,
        np.where(u < 0.35, "year", np.where(u < 0.45, "month", "day")),
        np.where(u < 0.05, "year", np.where(u < 0.08, "month", "day")),
    )
    text = np.datetime_as_string(released, unit="D")
    dates = np.where(precision == "year", [t[:4] for t in text], text)
    dates = np.where(precision == "month", [t[:7] for t in text], dates)
    unknown = rng.random(count) < 0.002
    if count >= 20:  # the odd "0000" really occurs: make sure every demo shows one
        unknown[rng.integers(0, count)] = True
    dates[unknown] = "0000"
    precision[unknown] = "year"
    return dates.tolist(), precision.tolist()


@dataclass
class _Albums:
    """Every album of the demo library, one array entry each."""

    kind: np.ndarray  # "album", "single", "compilation" (the odd "ALBUM")
    total_tracks: np.ndarray
    release_date: list[str]
    precision: list[str]
    release_year: np.ndarray
    ids: list[str]
    image_hash: list[str]
    image_kind: np.ndarray  # < .02 no image, < .04 one without sizes
    name: np.ndarray
    markets: list[list[str]]
    artist: np.ndarray  # index into the artists


def _albums(rng: np.random.Generator, first_save: np.ndarray, artist: np.ndarray) -> _Albums:
    count = first_save.size
    u = rng.random(count)
    kind = np.where(u < 0.08, "compilation", np.where(u < 0.38, "single", "album"))
    total_tracks = np.where(
        kind == "single",
        rng.integers(1, 4, count),
        np.where(kind == "compilation", rng.integers(15, 41, count), rng.integers(7, 21, count)),
    )
    kind = kind.astype(object)
    kind[rng.random(count) < 0.01] = "ALBUM"  # Spotify sometimes sends upper case
    release_date, precision = _release_dates(rng, first_save)
    release_year = np.array([int(d[:4]) for d in release_date])
    ids = _ids(rng, count)
    image_hash = _ids(rng, count, 24, _HEX)
    image_kind = rng.random(count)
    name = np.where(
        rng.random(count) < 0.5,
        _pick(rng, names.ADJECTIVES, count) + " " + _pick(rng, names.NOUNS, count),
        _pick(rng, names.NOUNS, count) + " " + _pick(rng, names.ALBUM_WORDS, count),
    )
    markets = _market_lists(rng, count)
    return _Albums(
        kind, total_tracks, release_date, precision, release_year, ids, image_hash, image_kind, name, markets, artist
    )


@dataclass
class _Tracks:
    """Every saved track of the demo library, in draw order (not yet newest first)."""

    name: np.ndarray
    n_feat: np.ndarray
    featured: np.ndarray
    duration: np.ndarray
    popularity: np.ndarray
    explicit: np.ndarray
    track_number: np.ndarray
    disc_number: np.ndarray
    local: np.ndarray
    ids: list[str]
    isrc: list[str]
    added_at: np.ndarray


def _tracks(
    rng: np.random.Generator,
    artists: _Artists,
    artist: np.ndarray,
    albums: _Albums,
    album: np.ndarray,
    times: np.ndarray,
) -> _Tracks:
    n = artist.size
    name = np.where(
        rng.random(n) < 0.6,
        _pick(rng, names.ADJECTIVES, n) + " " + _pick(rng, names.NOUNS, n),
        _pick(rng, names.NOUNS, n) + " of the " + _pick(rng, names.NOUNS, n),
    )
    special = rng.random(n) < 0.03
    name[special] = _pick(rng, names.SPECIAL_TRACKS, int(special.sum()))
    remaster = (rng.random(n) < 0.04) & (albums.release_year[album] < 2000)
    name[remaster] = name[remaster] + " - Remastered " + rng.integers(2001, 2024, int(remaster.sum())).astype(str)

    n_feat = np.where(rng.random(n) < 0.15, rng.choice([1, 1, 1, 2, 2, 3, 5], n), 0)
    featured = rng.choice(artists.names.size, size=(n, 5), p=artists.weight)

    duration = rng.lognormal(np.log(212_000), 0.28, n)
    duration = np.where(rng.random(n) < 0.006, rng.uniform(10, 65, n) * 60_000, duration)
    duration = np.where(rng.random(n) < 0.01, rng.uniform(20_000, 90_000, n), duration)
    duration = np.maximum(duration, 15_000).astype(np.int64)

    save_years = times.astype("datetime64[Y]").astype(int) + 1970
    age = np.maximum(save_years - albums.release_year[album], 0)
    popularity = np.clip(artists.popularity[artist] + rng.normal(0, 10, n) - 0.35 * np.minimum(age, 40), 0, 100).astype(
        int
    )
    explicit = rng.random(n) < artists.explicit_rate[artist]
    total = albums.total_tracks[album]
    track_number = rng.integers(0, 1 << 30, n) % total + 1
    disc_number = np.where((total > 14) & (rng.random(n) < 0.3), 2, 1)
    local = rng.random(n) < 0.01
    ids = _ids(rng, n)
    isrc_reg = _ids(rng, n, 3)
    isrc_num = rng.integers(0, 100_000, n)
    isrc_cc = _pick(rng, ["US", "GB", "SE", "DE", "FR", "JP", "KR", "BR", "NL", "QZ"], n)
    isrc = [
        f"{cc}{reg.upper()}{year % 100:02d}{num:05d}"
        for cc, reg, year, num in zip(isrc_cc, isrc_reg, save_years, isrc_num, strict=True)
    ]
    added_at = np.datetime_as_string(times, unit="s")
    return _Tracks(
        name, n_feat, featured, duration, popularity, explicit, track_number, disc_number, local, ids, isrc, added_at
    )


def _resaves(rng: np.random.Generator, tracks: _Tracks, artist: np.ndarray, album: np.ndarray) -> None:
    """The same recording saved twice, from two releases (the single and the album): about one track in
    sixty becomes a copy of another by the same artist, with its ISRC and a length a second or so apart.
    Drawn from a random stream of its own, after everything else."""
    order = np.lexsort((np.arange(artist.size), artist))
    same_artist = artist[order][1:] == artist[order][:-1]
    other_album = album[order][1:] != album[order][:-1]
    candidates = np.flatnonzero(same_artist & other_album & ~tracks.local[order][1:] & ~tracks.local[order][:-1])
    chosen = candidates[rng.random(candidates.size) < 0.05]
    copy, original = order[chosen + 1], order[chosen]
    tracks.name[copy] = tracks.name[original]
    source = _mapping(copy, original, artist.size)
    tracks.isrc = [tracks.isrc[o] for o in source]  # each copy takes its original's ISRC
    tracks.duration[copy] = tracks.duration[original] + rng.integers(-1500, 1500, copy.size)


def _mapping(copy: np.ndarray, original: np.ndarray, n: int) -> np.ndarray:
    out = np.arange(n)
    out[copy] = original
    return out


def demo_items(n: int = 2500, seed: int = 0, dev_mode: bool = False) -> list[dict]:
    """Raw saved-track items (the ``items`` of ``/v1/me/tracks`` pages), newest save first.

    ``dev_mode=True`` gives the 2026 Development Mode shape: the keys Spotify no
    longer sends to such apps are absent. Treat the items as read-only: some
    lists (such as identical ``available_markets``) are shared between items.
    """
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, not {n!r}")
    rng = np.random.Generator(np.random.PCG64(seed))
    artists = _artists(rng, max(8, int(n * 0.3)))

    # Which artist and which of their albums each track comes from.
    track_artist = rng.choice(artists.names.size, size=n, p=artists.weight)
    slot = np.minimum(rng.geometric(0.45, n) - 1, 63)
    album_of, album = np.unique(track_artist * 64 + slot, return_inverse=True)

    times = _save_times(rng, n)
    # Saving a whole album at once: its tracks share one second.
    whole = rng.random(album_of.size) < 0.06
    first_save = np.full(album_of.size, END)
    np.minimum.at(first_save, album, times)
    times = np.where(whole[album], first_save[album], times)
    order = np.argsort(-times.view("int64"), kind="stable")  # newest save first

    albums = _albums(rng, first_save, album_of // 64)
    tracks = _tracks(rng, artists, track_artist, albums, album, times)
    _resaves(np.random.Generator(np.random.PCG64(seed + 77)), tracks, track_artist, album)
    items = [item_object(i, tracks, artists, track_artist[i], albums, album[i]) for i in order]
    return [to_dev_mode(item) for item in items] if dev_mode else items
