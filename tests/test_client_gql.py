"""A real GraphQL client: the Python ``gql`` library, over HTTP to a live ``newsgraph serve``,
runs every example query of the README.

The client fetches the schema by introspection first and validates each query against it before
sending it, as client tooling does. Skipped when gql (``gql[httpx]``) is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.live_server import README_QUERIES, newsgraph_server
from tests.conftest import TOKEN

if TYPE_CHECKING:
    from gql.client import SyncClientSession

pytest.importorskip("gql", reason="gql is not installed (pip install 'gql[httpx]>=4')")
pytest.importorskip("gql.transport.httpx", reason="gql's httpx transport is missing")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncClientSession]:
    """A gql session to the server, with the schema introspected from it."""
    from gql import Client
    from gql.transport.httpx import HTTPXTransport

    workdir: Path = tmp_path_factory.mktemp("gql")
    with newsgraph_server(workdir, token=TOKEN) as base:  # the Health example needs it
        transport = HTTPXTransport(
            url=f"{base}/graphql", timeout=10, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        client = Client(transport=transport, fetch_schema_from_transport=True, execute_timeout=10)
        with client as connected:
            yield connected


def operation(query: str) -> str:
    return query.split()[1]


@pytest.mark.parametrize("query", README_QUERIES, ids=operation)
def test_readme_example_runs_through_gql(session: SyncClientSession, query: str) -> None:
    from gql import gql

    result: dict[str, Any] = session.execute(gql(query))  # raises on any GraphQL error
    (value,) = result.values()
    assert value, f"{operation(query)} found nothing: {result}"


def test_the_client_validated_against_the_served_schema(session: SyncClientSession) -> None:
    from gql import gql
    from graphql import GraphQLError

    assert session.client.schema is not None
    assert session.client.schema.get_type("Article") is not None
    with pytest.raises(GraphQLError, match="noSuchField"):
        session.execute(gql("query Broken { articles(first: 1) { nodes { noSuchField } } }"))


def test_server_errors_reach_the_client_with_their_code(session: SyncClientSession) -> None:
    from gql import gql
    from gql.transport.exceptions import TransportQueryError

    with pytest.raises(TransportQueryError) as caught:
        session.execute(gql("query TooMany { articles(first: 1000) { totalCount } }"))
    errors = caught.value.errors or []
    assert [e.get("extensions", {}).get("code") for e in errors] == ["BAD_USER_INPUT"], errors
