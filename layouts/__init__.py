"""Per-newspaper layout hints and the place-name gazetteer, as TOML data (see hints.py in extractor)."""
