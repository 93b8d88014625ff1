"""The Whoosh door: the only modules that patch whoosh-reloaded or read its private parts."""
