"""Reading ``GET /v1/me/tracks``: the HTTP sender (gate, retries, tokens) and the page reader."""
