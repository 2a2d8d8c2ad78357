"""The GraphQL API, in three rooms that depend one way (http -> plans -> schema):

``schema``  what clients can ask: Strawberry types, inputs, connections, limits;
            the reference executor answers through these resolvers.
``plans``   compiled query plans: a document that ran cleanly once is answered
            again without the per-field executor (same JSON, differential tests).
``http``    the transport: the Starlette app, GraphQL over HTTP, caches,
            persisted queries, metrics and logs, the live change feed.
"""
