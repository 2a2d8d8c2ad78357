"""Loaders: turn a content folder into typed records and write them to SQLite.

``frontmatter`` splits and parses one file, ``normalise`` turns the YAML into
typed records (``records``), ``site`` reads the ``_data`` taxonomy, and
``loader`` walks a folder and drives an incremental, atomic load.
"""
