"""The transport: GraphQL over HTTP and WebSocket, and what sits around it.

``app`` assembles the Starlette application, ``endpoint`` answers ``/graphql``,
``request`` reads and negotiates GraphQL requests, ``cache`` and ``persisted``
keep responses and documents, ``observe`` logs and counts, ``errors`` turns
errors into response objects, ``live`` relays the change log to subscribers,
``graphiql`` serves the explorer.
"""
