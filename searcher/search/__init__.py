"""Search: one index snapshot → :class:`~searcher.models.Results`.

Vocabulary: a *query* is the user's text, *repaired* (:mod:`~searcher.search.typed`) and
*parsed* into Whoosh query objects plus lifted ``near:`` clauses (:mod:`~searcher.search.query`);
a *request* is a query with its filters, sort, centre and page; the *audience* decides which
locations a caller may see, through its :class:`~searcher.search.visibility.Visibility` policy;
a *generation* (:mod:`~searcher.search.generation`) is one open
snapshot of the index that runs requests: scoring (:mod:`~searcher.search.fastscore`), the
*geo index* (:mod:`~searcher.search.geosearch`), *snippets*, *facets*, *stats*, spelling and
completion (:mod:`~searcher.search.suggest`).
"""
