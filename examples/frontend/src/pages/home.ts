/** Home: the newest articles, infinite scroll, and a "N new articles" banner fed by the
 * `contentChanged` subscription (the server's --watch reloads content as files change). */
import { Feed } from "../components/feed";
import { card } from "../components/card";
import { Home, NewArticles } from "../documents";
import { h, plural } from "../dom";
import { errorBox, type PageFactory } from "./page";

export const homePage: PageFactory = (client) => {
  const status = h("p", { class: "status" });
  const banner = h("button", { class: "banner", type: "button", hidden: true });
  const feed = new Feed({
    client,
    query: Home,
    variables: (after) => ({ first: 20, after }),
    page: (data) => ({ items: data.articles.nodes, ...data.articles.pageInfo }),
    key: (article) => article.id,
    render: (article) => card(article),
    onData: (data) => {
      status.textContent = `${plural(data.articles.totalCount, "article")}, newest first`;
    },
    onError: (message) => status.replaceWith(errorBox(message)),
  });
  let fresh = 0;
  banner.addEventListener("click", () => {
    fresh = 0;
    banner.hidden = true;
    window.scrollTo(0, 0);
    feed.start("network-only");
  });
  const live = client.subscription(NewArticles, {}).subscribe((result) => {
    const added = result.data?.contentChanged.added.length ?? 0;
    if (added === 0) return;
    fresh += added;
    banner.textContent = `${plural(fresh, "new article")} · show`;
    banner.hidden = false;
  });
  feed.start();
  return {
    element: h("section", { class: "page home" }, h("h1", {}, "Latest news"), status, banner, feed.element),
    dispose() {
      live.unsubscribe();
      feed.dispose();
    },
  };
};
