/** The GraphQL client: urql with a normalised cache (graphcache, Relay pagination for every
 * article list), automatic persisted queries over GET, and subscriptions over
 * graphql-transport-ws. */
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { relayPagination } from "@urql/exchange-graphcache/extras";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createWsClient } from "graphql-ws";

/** Types without an id: kept inside their parent's cache entry rather than normalised. */
const EMBEDDED = [
  "ArticleConnection",
  "ArticleEdge",
  "PageInfo",
  "Facets",
  "FacetCount",
  "Image",
  "RelatedItem",
  "ContentInfo",
  "ContentChange",
] as const;

export function makeClient(api: string): Client {
  const ws = createWsClient({ url: api.replace(/^http/, "ws"), lazy: true, retryAttempts: 5 });
  return new Client({
    url: api,
    // Queries go out as GET with only the document's SHA-256 (persisted exchange); the server
    // answers PersistedQueryNotFound once per document and learns it from the retry.
    preferGetMethod: "within-url-limit",
    requestPolicy: "cache-first",
    exchanges: [
      cacheExchange({
        keys: Object.fromEntries(EMBEDDED.map((name) => [name, () => null])),
        resolvers: {
          // Each page of a list (same field, same arguments but the cursor) merges into one
          // list in the cache: infinite scroll reads the merged list.
          Query: { articles: relayPagination() },
          Topic: { articles: relayPagination() },
          Provider: { articles: relayPagination() },
        },
      }),
      persistedExchange({ preferGetForPersistedQueries: "within-url-limit" }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
    ],
  });
}
