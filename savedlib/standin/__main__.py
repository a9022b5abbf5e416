"""Run the stand-in from a shell: ``python -m savedlib.standin --n 10000 --latency 0.05``.

Prints its base URL on the first line (``sp.prefix`` is that plus ``/v1/``),
then serves until interrupted.
"""

from __future__ import annotations

import argparse
import sys

from savedlib.standin import StandIn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m savedlib.standin", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8750, help="0 picks a free port")
    parser.add_argument("--n", type=int, default=2500, help="tracks in the demo library served")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--rate-limit", help="REQUESTS/SECONDS over a rolling window, e.g. 100/30")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of random 5xx answers")
    parser.add_argument("--token-lifetime", type=float, default=3600.0)
    parser.add_argument("--dev-mode", action="store_true", help="the 2026 Development Mode shape")
    parser.add_argument("--dev-genres", action="store_true", help="Development Mode artists with genres (before 2026)")
    parser.add_argument("--retry-after", help="seconds, or missing, zero, lowercase: how a 429 says when to come back")
    parser.add_argument("--daily-quota", type=int, help="after this many API requests, 429 QUOTA_EXCEEDED")
    parser.add_argument("--account-id", default="demolistener", help="the account GET /v1/me names")
    args = parser.parse_args(argv)
    rate = None
    if args.rate_limit:
        count, window = args.rate_limit.split("/")
        rate = (int(count), float(window))
    api = StandIn(
        n=args.n,
        seed=args.seed,
        host=args.host,
        port=args.port,
        latency=args.latency,
        rate_limit=rate,
        error_rate=args.error_rate,
        token_lifetime=args.token_lifetime,
        dev_mode=args.dev_mode,
        dev_genres=args.dev_genres,
        retry_after=int(args.retry_after) if (args.retry_after or "").isdigit() else args.retry_after,
        daily_quota=args.daily_quota,
        account_id=args.account_id,
    )
    print(api.url, flush=True)
    print(f"serving {args.n:,} saved tracks; a token: curl -X POST {api.url}/_standin/token", file=sys.stderr)
    try:
        api._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        api._server.server_close()


if __name__ == "__main__":
    main()
