"""Items (from any source, in one Arrow shape) → the typed tables, vectorised.

``schema`` (the columns and what may be missing), ``dates`` (save and release
dates), ``tracks`` (the wide table's columns), ``long`` (artists, markets,
genres), ``missing`` (what a library lacks, and why), ``convert`` (the road
every source takes).
"""
