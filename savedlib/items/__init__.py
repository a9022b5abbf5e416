"""Raw saved-track items: ``shape`` (the fields read, as Arrow types), ``raw`` (the bytes Spotify sent),
``uris`` (ids and URIs), ``identity`` (which item is which), ``pages`` (pages and their order), ``checks``."""
