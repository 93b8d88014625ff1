"""The on-disk index: what is stored for a post, and the writer that keeps it up to date.

Vocabulary: the *schema* names the Whoosh fields (:mod:`~searcher.indexing.schema`), whose
text goes through our *analysers* (:mod:`~searcher.indexing.analysis`); a post's *record* is
what is stored to show it, written and read back typed by the codec
(:mod:`~searcher.indexing.records`); the *manifest* remembers which file gave which
post so a rebuild only reads what changed; the *store* locks the index folder and names its
files; a *generation* is one committed state of the index that readers open. Only this layer
and :mod:`searcher.search` import Whoosh; its internals are touched only in
:mod:`searcher.indexing._whoosh`.
"""
