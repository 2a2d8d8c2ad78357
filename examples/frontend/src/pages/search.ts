/** Search: results by relevance, each with a snippet of where it matched (the API escapes the
 * text and inserts our <mark>s), and the same facet sidebar. The query text is part of the
 * filter, so the sidebar's toggles keep it. */
import { Feed } from "../components/feed";
import { card } from "../components/card";
import { sidebar } from "../components/sidebar";
import { Search, type ArticleFilter } from "../documents";
import { h, plural, trustedHtml } from "../dom";
import { filterOf } from "../router";
import { errorBox, type PageFactory } from "./page";

export const searchPage: PageFactory = (client, route) => {
  const q = (route.query.get("q") ?? "").trim();
  const fromAddress = filterOf(route);
  // a new search starts without facets; a toggle's filter carries its own text
  const filter: ArticleFilter = fromAddress && fromAddress.text === q ? fromAddress : { text: q };
  const input = document.querySelector<HTMLInputElement>(".search-box input");
  if (input) input.value = q;
  document.title = `${q || "Search"} · newsgraph`;
  const head = h("header", { class: "page-head" }, h("h1", {}, q ? `Search: ${q}` : "Search"));
  if (!q) {
    return { element: h("section", { class: "page search" }, head, h("p", { class: "status" }, "Type words in the search box.")), dispose() {} };
  }
  const status = h("p", { class: "status" });
  head.append(status);
  const side = h("div", { class: "sidebar-slot" });
  const feed = new Feed({
    client,
    query: Search,
    variables: (after) => ({ filter, first: 20, after }),
    page: (data) => ({ items: data.articles.edges, ...data.articles.pageInfo }),
    key: (edge) => edge.node.id,
    render: (edge) => card(edge.node, edge.snippet ? trustedHtml("p", "snippet", edge.snippet) : null),
    onData: (data) => {
      const { totalCount, countsExact } = data.articles;
      status.textContent = `${countsExact ? "" : "about "}${plural(totalCount, "result")}, most relevant first`;
      side.replaceChildren(sidebar(data.articles.facets, "/search", { params: { q } }));
    },
    onError: (message) => status.replaceWith(errorBox(message)),
  });
  feed.start();
  return {
    element: h("div", { class: "page search faceted" }, head, h("div", { class: "columns" }, side, feed.element)),
    dispose: () => feed.dispose(),
  };
};
