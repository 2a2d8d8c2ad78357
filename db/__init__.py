"""The database layer: the only place that holds SQL.

``schema`` creates and migrates the tables and ``connection`` opens SQLite with
the pragmas we rely on. Writing: ``writer`` applies one load in one transaction,
with ``article_rows`` (records as rows), ``text_index`` (FTS5), ``site_data``
(taxonomy, provider records) and ``derived`` (links, counts, the new version and
its change log). Reading: ``reader`` pools connections and hands out sessions
(``session``) whose reads live in ``lookups`` (by key), ``pages`` (keyset pages,
search) and ``counts`` (totals, facets); ``query`` turns filters into SQL with
bound parameters; ``dimensions`` keeps the small tables in memory; ``changes``
reads the change log.
"""
