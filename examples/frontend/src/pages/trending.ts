/** Trending: the TRENDING order (heat and quality decaying with age), ranked as of the first
 * page's `asOf`, which the cursors carry to the next pages. */
import { Feed } from "../components/feed";
import { card } from "../components/card";
import { Trending } from "../documents";
import { h } from "../dom";
import { errorBox, type PageFactory } from "./page";

export const trendingPage: PageFactory = (client) => {
  const status = h("p", { class: "status" });
  const feed = new Feed({
    client,
    query: Trending,
    variables: (after) => ({ first: 20, after }),
    page: (data) => ({ items: data.articles.nodes, ...data.articles.pageInfo }),
    key: (article) => article.id,
    render: (article) => card(article, h("p", { class: "score" }, `heat ${article.heat ?? "–"} · quality ${article.quality ?? "–"}`)),
    onData: (data) => {
      status.textContent = data.articles.asOf ? `Ranked as of ${new Date(data.articles.asOf).toUTCString()}` : "";
    },
    onError: (message) => status.replaceWith(errorBox(message)),
  });
  feed.start();
  document.title = "Trending · newsgraph";
  return { element: h("section", { class: "page trending" }, h("h1", {}, "Trending"), status, feed.element), dispose: () => feed.dispose() };
};
