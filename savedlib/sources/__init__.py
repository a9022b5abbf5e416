"""Libraries from the files people already have: Exportify CSVs and Spotify's account data."""
