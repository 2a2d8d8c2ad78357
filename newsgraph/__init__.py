"""newsgraph: a GraphQL API over a folder of Markdown news items.

The data flows one way: files -> ``loaders`` (typed records) -> ``db`` (SQLite)
-> ``api`` (GraphQL over HTTP). This package holds what all layers share: the
error hierarchy, configuration and the command line.
"""

__version__ = "0.1.0"
