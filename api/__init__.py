"""The GraphQL API: Strawberry types and resolvers, served by Starlette.

``schema`` assembles the types, ``types`` mirrors the content, ``inputs``
holds filter and order inputs, ``pagination`` the keyset cursors,
``dataloaders`` the per-request batching, ``app`` the HTTP layer.
"""
