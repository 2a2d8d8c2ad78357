import { TopicFeed } from "../documents";
import { h, plural } from "../dom";
import { filterOf } from "../router";
import { facetedPage } from "./faceted";
import type { PageFactory } from "./page";

export const topicPage: PageFactory = (client, route) => {
  const filter = filterOf(route);
  return facetedPage({
    client,
    path: `/topic/${encodeURIComponent(route.param)}`,
    scope: { group: "topics", value: route.param },
    query: TopicFeed,
    variables: (after) => ({ slug: route.param, filter, first: 20, after }),
    listing: (data) => data.topic?.articles ?? null,
    header: (data) => {
      const topic = data.topic!;
      document.title = `${topic.name} · newsgraph`;
      return h(
        "div",
        {},
        topic.parent ? h("p", { class: "crumb" }, h("a", { href: `/topic/${topic.parent.slug}` }, topic.parent.name), " ›") : null,
        h("h1", {}, topic.name),
        h("p", { class: "status" }, filter ? `${plural(topic.articles.totalCount, "article")} of ${topic.articleCount} match the filters` : plural(topic.articleCount, "article")),
        topic.children.length
          ? h("ul", { class: "topics children" }, ...topic.children.map((child) => h("li", {}, h("a", { href: `/topic/${child.slug}` }, child.name))))
          : null,
      );
    },
  });
};
