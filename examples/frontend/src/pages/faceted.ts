/** Topic and provider pages: a header, the facet sidebar and an infinite list. The sidebar's
 * links put the API's `toggle` filters in the address; the page's own topic or provider is the
 * connection's scope, so a toggle never drops it. */
import type { AnyVariables, Client, TypedDocumentNode } from "@urql/core";
import { Feed } from "../components/feed";
import { card } from "../components/card";
import { sidebar, type SidebarOptions } from "../components/sidebar";
import type { CardFields, SidebarFields } from "../documents";
import { h } from "../dom";
import { errorBox, type View } from "./page";

export interface Listing {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: readonly CardFields[];
  facets: SidebarFields;
}

export function facetedPage<Data, Variables extends AnyVariables>(options: {
  client: Client;
  path: string;
  query: TypedDocumentNode<Data, Variables>;
  variables: (after: string | null) => Variables;
  /** The scope's listing, or null when the scope does not exist. */
  listing: (data: Data) => Listing | null;
  header: (data: Data) => HTMLElement;
  scope: SidebarOptions["scope"];
}): View {
  const head = h("header", { class: "page-head" });
  const side = h("div", { class: "sidebar-slot" });
  const feed = new Feed({
    client: options.client,
    query: options.query,
    variables: options.variables,
    page: (data) => {
      const listing = options.listing(data);
      return listing && { items: listing.nodes, ...listing.pageInfo };
    },
    key: (article) => article.id,
    render: (article) => card(article),
    onData: (data) => {
      const listing = options.listing(data);
      if (listing === null) {
        head.replaceChildren(h("h1", {}, "Not found"));
        return;
      }
      head.replaceChildren(options.header(data));
      side.replaceChildren(sidebar(listing.facets, options.path, { scope: options.scope }));
    },
    onError: (message) => head.append(errorBox(message)),
  });
  feed.start();
  return {
    element: h("div", { class: "page faceted" }, head, h("div", { class: "columns" }, side, feed.element)),
    dispose: () => feed.dispose(),
  };
}
