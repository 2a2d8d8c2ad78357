/** One article: title, provider as filed, the safe body HTML and embed, related coverage (a link
 * to our own page when the corpus has the item) and "more like this". */
import { card } from "../components/card";
import { ArticlePage } from "../documents";
import { h, trustedHtml, when } from "../dom";
import { errorBox, type PageFactory } from "./page";

type Named = { name: string | null; domain: string } | null;

/** The provider as the file wrote it, linked to the shared provider's page. */
function providerLink(filed: Named, shared: Named): HTMLElement | null {
  const shown = filed ?? shared;
  if (!shown) return null;
  const label = shown.name ?? shown.domain;
  if (!shared) return h("span", { class: "provider" }, label);
  return h("a", { class: "provider", href: `/provider/${encodeURIComponent(shared.domain)}` }, label);
}

export const articlePage: PageFactory = (client, route) => {
  const element = h("article", { class: "page article" }, h("p", { class: "status" }, "Loading…"));
  const subscription = client.query(ArticlePage, { slug: route.param }).subscribe((result) => {
    if (result.error) {
      element.replaceChildren(errorBox(result.error.message));
      return;
    }
    const article = result.data?.article;
    if (result.data && !article) {
      element.replaceChildren(h("h1", {}, "Not found"), h("p", {}, `No article ${route.param}.`));
      return;
    }
    if (!article) return;
    document.title = `${article.title ?? article.slug} · newsgraph`;
    const image = article.leadImage;
    const parts = [
      h(
        "header",
        { class: "page-head" },
        h("h1", {}, article.title ?? article.slug),
        h(
          "p",
          { class: "meta" },
          providerLink(article.filedProvider, article.provider),
          when(article.publishedAt),
          article.url ? h("a", { class: "original", href: article.url, rel: "noopener nofollow", target: "_blank" }, "Read at the source ↗") : null,
        ),
        h("ul", { class: "topics" }, ...article.topics.map((t) => h("li", {}, h("a", { href: `/topic/${t.slug}` }, t.name)))),
      ),
      image ? h("img", { class: "hero", src: image.url, width: image.width ?? 800, height: image.height ?? 450, alt: "" }) : null,
      article.featuredContentHtml ? trustedHtml("div", "embed", article.featuredContentHtml) : null,
      article.bodyHtml ? trustedHtml("div", "body", article.bodyHtml) : article.excerpt ? h("p", { class: "body excerpt" }, article.excerpt) : null,
      article.related.length
        ? h(
            "section",
            { class: "related" },
            h("h2", {}, "Related coverage"),
            h(
              "ul",
              {},
              ...article.related.map((item) =>
                h(
                  "li",
                  { class: "related-item" },
                  item.article
                    ? h("a", { href: `/article/${encodeURIComponent(item.article.slug)}`, "data-internal": "true" }, item.title ?? item.article.title ?? item.article.slug)
                    : item.url
                      ? h("a", { href: item.url, rel: "noopener nofollow", target: "_blank" }, item.title ?? item.url)
                      : h("span", {}, item.title ?? "Untitled"),
                  " ",
                  h("span", { class: "meta" }, item.filedProvider?.name ?? item.filedProvider?.domain ?? "", " ", when(item.publishedAt)),
                ),
              ),
            ),
          )
        : null,
      article.similar.length
        ? h("section", { class: "similar" }, h("h2", {}, "More like this"), h("div", { class: "cards" }, ...article.similar.map((a) => card(a))))
        : null,
    ];
    element.replaceChildren(...parts.filter((part): part is HTMLElement => part !== null));
  });
  return { element, dispose: () => subscription.unsubscribe() };
};
