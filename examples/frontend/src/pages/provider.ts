import { ProviderFeed } from "../documents";
import { h, plural } from "../dom";
import { filterOf } from "../router";
import { facetedPage } from "./faceted";
import type { PageFactory } from "./page";

export const providerPage: PageFactory = (client, route) => {
  const filter = filterOf(route);
  return facetedPage({
    client,
    path: `/provider/${encodeURIComponent(route.param)}`,
    scope: { group: "providers", value: route.param },
    query: ProviderFeed,
    variables: (after) => ({ domain: route.param, filter, first: 20, after }),
    listing: (data) => data.provider?.articles ?? null,
    header: (data) => {
      const provider = data.provider!;
      document.title = `${provider.name ?? provider.domain} · newsgraph`;
      return h(
        "div",
        {},
        h("h1", {}, provider.name ?? provider.domain),
        h("p", { class: "status" }, provider.domain, " · ", filter ? `${plural(provider.articles.totalCount, "article")} of ${provider.articleCount} match the filters` : plural(provider.articleCount, "article")),
      );
    },
  });
};
