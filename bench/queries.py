"""The README's example queries as the benchmarks send them, with variables for the literals.

Why: target 7 of issue 14 asks that compiled plans answer every shape the README shows,
and the first-request and soak benchmarks should time what a reader of the README would
send. Each document here is the README's, with its literal arguments (a topic slug, a
provider domain, search words, an article slug) turned into variables so that one
document serves every value; ``tests/test_bench_queries.py`` checks that putting the
README's literals back gives the README's document. ``FACET_PAGE`` is the TopicPage's
list with every facet, over any filter the README lists.

Unused variables: a request may carry a variable the document does not declare (the
benchmarks add ``k``, a number that never repeats); GraphQL ignores it, but the response
cache keys on all variables, so such requests do the same work and are never answered
from that cache. The benchmarks check this in ``/metrics`` (``executor="cache"``).
"""

from __future__ import annotations

HOMEPAGE = """query Homepage($minWidth: Int!) {
  articles(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id slug title excerpt publishedAt webUrl
      provider { name domain }
      leadImage(minWidth: $minWidth) { url width height }
      images { url width height }
      topics { name slug }
      related(first: 3) { title webUrl provider { name } article { slug } }
    }
  }
}"""

TOPIC_PAGE = """query TopicPage($slug: String!) {
  topic(slug: $slug) {
    name articleCount parent { name }
    articles(first: 10) {
      totalCount
      nodes { title publishedAt provider { name } }
      facets { providers(first: 5) { value label count } types { value count } }
    }
  }
}"""

PROVIDER_PAGE = """query ProviderPage($domain: String!) {
  provider(domain: $domain) {
    name articleCount images { url }
    articles(first: 10, orderBy: { field: QUALITY, direction: DESC }) {
      nodes { title quality publishedAt }
    }
  }
}"""

SEARCH = """query Search($text: String!) {
  articles(filter: { text: $text, publishedAfter: "2020-01-01" }, first: 10) {
    totalCount
    nodes { title excerpt publishedAt }
  }
}"""

ARTICLE = """query Article($slug: String!) {
  article(slug: $slug) {
    title publishedAt quality heat published
    provider { name domain }
    topics { name }
    related {
      title publishedAt webUrl ampWebUrl quality
      provider { name domain }
      images { url width height }
      article { slug }
    }
  }
}"""

SIDEBAR = """query Sidebar($topics: [String!]!) {
  articles(first: 10, filter: {topicsAny: $topics}) {
    totalCount
    nodes { title topics { name } }
    facets(disjunctive: true) {
      topics(first: 5) { value label count selected toggle }
      providers(first: 5) { value label count selected toggle }
      months(first: 6) { value label count selected toggle }
    }
  }
}"""

ARCHIVE = """query Archive($periods: [Period!]!) {
  articles(first: 5, filter: {publishedIn: $periods}) {
    totalCount
    nodes { title publishedAt }
    facets(disjunctive: true) { years { value count selected toggle } }
  }
}"""

TOPIC_DESCENDANTS = """query TopicDescendants($topics: [String!]!) {
  articles(first: 5, filter: {topicsAny: $topics, includeDescendants: true}) {
    totalCount
    nodes { title topics { name parent { name } } }
  }
}"""

ARTICLE_HTML = """query ArticleHtml($topic: String!) {
  articles(first: 3, filter: { topicsAny: [$topic] }) {
    nodes { title bodyHtml featuredContentHtml }
  }
}"""

TOPIC_TREE = """query TopicTree($slug: String!) {
  topic(slug: $slug) {
    name
    children { name slug articleCount }
    articles(first: 3) { nodes { title } }
  }
}"""

SEARCH_SNIPPETS = """query SearchSnippets($text: String!) {
  articles(filter: { text: $text }, first: 5) {
    edges {
      snippet(tokens: 12, before: "<mark>", after: "</mark>")
      node { title slug publishedAt }
    }
  }
}"""

MORE_LIKE_THIS = """query MoreLikeThis($slug: String!) {
  article(slug: $slug) {
    title
    similar(first: 5) { title slug provider { name } }
  }
}"""

BEST_THEN_NEWEST = """query BestThenNewest {
  articles(
    first: 10
    orderBy: [{ field: QUALITY, direction: DESC }, { field: PUBLISHED_AT, direction: DESC }]
  ) {
    pageInfo { hasNextPage endCursor }
    nodes { title quality publishedAt }
  }
}"""

TRENDING = """query Trending($topic: String!) {
  articles(first: 10, orderBy: { field: TRENDING, halfLifeHours: 24 },
           filter: { topicsAny: [$topic] }) {
    asOf
    pageInfo { hasNextPage endCursor }
    nodes { title heat quality publishedAt }
  }
}"""

AS_FILED = """query AsFiled($slug: String!) {
  article(slug: $slug) {
    url
    ampFirst: url(prefer: [AMP, WEB])
    canonical: url(prefer: [CANONICAL])
    provider { name domain }
    filedProvider { name domain images { url } }
    related(first: 2) { url(prefer: [WEB, AMP]) filedProvider { name domain } }
  }
}"""

HEALTH = """query Health {
  contentHealth {
    version
    checks(kinds: [UNMATCHED_RELATED, NO_IMAGES]) {
      kind
      count
      items(first: 3) {
        nodes { reason path line url article { slug } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""

HEADLINES = """query Headlines {
  articles(first: 5) {
    nodes { slug title publishedAt provider { name } }
  }
}"""

TOPIC_FEED = """query TopicFeed($slug: String!, $providers: [String!]) {
  topic(slug: $slug) {
    name articleCount
    articles(first: 3, filter: {providerIn: $providers}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id slug title publishedAt provider { name domain }
        leadImage(minWidth: 300) { url width }
      }
      facets(disjunctive: true) {
        topics(first: 5) { value label count selected toggle }
        providers(first: 5) { value label count selected toggle }
      }
    }
  }
}"""

UPCOMING = """query Upcoming($day: DateTime!) {
  articles(first: 5, filter: { publishedAfter: $day },
           orderBy: { field: PUBLISHED_AT, direction: ASC }) {
    contentVersion
    nodes { title publishedAt }
  }
}"""

CHANGES = """query Changes($since: Int!) {
  changes(since: $since, first: 5) {
    version totalCount
    added { id slug title publishedAt }
    updated { id slug title }
    removedIds
    pageInfo { hasNextPage endCursor }
  }
}"""

CHANGE_PAGES = """query ChangePages($since: Int!, $after: String) {
  changes(since: $since, first: 100, after: $after) {
    version totalCount
    added { id slug title publishedAt provider { name } }
    updated { id slug title publishedAt provider { name } }
    removedIds
    pageInfo { hasNextPage endCursor }
  }
}"""
"""What a search indexer sends to catch up: the README's Changes, 100 a page, by cursor."""

STORY_FEED = """query StoryFeed {
  articles(first: 10, dedupe: true) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      title quality storyId
      duplicates(first: 3) { title webUrl provider { name } }
    }
  }
}"""

README_SHAPES = {
    "Homepage": HOMEPAGE,
    "TopicPage": TOPIC_PAGE,
    "ProviderPage": PROVIDER_PAGE,
    "Search": SEARCH,
    "Article": ARTICLE,
    "Sidebar": SIDEBAR,
    "Archive": ARCHIVE,
    "TopicDescendants": TOPIC_DESCENDANTS,
    "ArticleHtml": ARTICLE_HTML,
    "TopicTree": TOPIC_TREE,
    "SearchSnippets": SEARCH_SNIPPETS,
    "MoreLikeThis": MORE_LIKE_THIS,
    "BestThenNewest": BEST_THEN_NEWEST,
    "Trending": TRENDING,
    "AsFiled": AS_FILED,
    "Health": HEALTH,
    "Headlines": HEADLINES,
    "TopicFeed": TOPIC_FEED,
    "Upcoming": UPCOMING,
    "Changes": CHANGES,
    "StoryFeed": STORY_FEED,
}
"""Operation name -> document, in the README's order."""

FACET_PAGE = """query FacetPage($filter: ArticleFilter!) {
  articles(filter: $filter, first: 10) {
    totalCount
    nodes { title publishedAt provider { name } }
    facets {
      topics(first: 5) { value label count }
      providers(first: 5) { value label count }
      categories { value count }
      types { value count }
    }
  }
}"""
"""The first page of any filtered list, with a sidebar of every facet."""
