"""The GraphQL schema: what a client can ask, and the reference executor's resolvers.

``build`` assembles the schema (and prints ``schema.graphql``), ``query`` and
``subscription`` are the root types, ``types`` the objects that mirror the
content, ``connections`` the Relay pages, ``pages`` fetches a page of articles
(shared with the compiled plans), ``inputs``/``arguments``/``scalars`` what
fields take, ``pagination`` the cursors, ``limits`` the depth/alias/cost rules,
``context`` what a resolver sees of the request.
"""
