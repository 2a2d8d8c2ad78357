"""The GraphiQL page: Strawberry's, opening on a ready homepage-feed query.

The page loads GraphiQL from its CDN at pinned versions (with subresource
integrity); we only replace the welcome text with a query that runs as is,
and open the documentation explorer beside it.
"""

from __future__ import annotations

import re

from strawberry.http.ides import get_graphql_ide_html

EXAMPLE = """# newsgraph: the 10 newest articles. Press the play button (Ctrl-Enter).
# The docs explorer on the left lists every type, field and argument.
query Homepage {
  articles(first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      title
      publishedAt
      provider { name domain }
      leadImage(minWidth: 300) { url width height }
      topics { name slug }
      related(first: 3) { title webUrl provider { name } }
    }
  }
}
"""


def graphiql_html() -> str:
    """GraphiQL with our example query and the docs explorer open."""
    html = get_graphql_ide_html("graphiql")
    escaped = EXAMPLE.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    html = re.sub(
        r"const EXAMPLE_QUERY = `.*?`;",
        lambda _: f"const EXAMPLE_QUERY = `{escaped}`;",
        html,
        count=1,
        flags=re.S,
    )
    assert "query Homepage" in html, "Strawberry's GraphiQL page changed; update api/graphiql.py"
    html = html.replace(
        "defaultEditorToolsVisibility: true,",
        'defaultEditorToolsVisibility: true,\n          visiblePlugin: "Documentation Explorer",',
        1,
    )
    return html.replace("<title>Strawberry GraphiQL</title>", "<title>newsgraph GraphiQL</title>")
