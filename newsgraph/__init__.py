"""newsgraph: a GraphQL API over a folder of Markdown news items.

This package is the top of the house: the entry points that drive the rest.
``cli`` is the ``newsgraph`` command, ``server`` starts uvicorn with the app
from ``api.http``, and ``watch`` reloads the content through ``loaders`` while
serving. ``sample/`` is the bundled sample content. Nothing imports this
package; the data flows files -> ``loaders`` -> ``db`` -> ``api`` -> HTTP, on
the ground of ``core``.
"""

__version__ = "0.1.0"
