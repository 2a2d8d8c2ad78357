"""The database layer: the only place that holds SQL.

``schema`` creates and migrates the tables, ``connection`` opens SQLite with
the pragmas we rely on, ``writer`` applies one load in one transaction, and
``reader`` / ``filters`` answer the API's queries with bound parameters only.
"""
