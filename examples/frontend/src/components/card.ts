/** An article card: lead image, title, provider, topics and time. */
import type { CardFields } from "../documents";
import { h, when } from "../dom";

export function card(article: CardFields, extra?: Node | null): HTMLElement {
  return h(
    "article",
    { class: "card", "data-id": article.id, "data-slug": article.slug },
    leadImage(article.leadImage),
    h(
      "div",
      { class: "card-body" },
      h("h2", {}, h("a", { href: `/article/${encodeURIComponent(article.slug)}` }, article.title ?? article.slug)),
      extra ?? null,
      h(
        "p",
        { class: "meta" },
        article.provider
          ? h("a", { class: "provider", href: `/provider/${encodeURIComponent(article.provider.domain)}` }, article.provider.name ?? article.provider.domain)
          : null,
        when(article.publishedAt),
        article.type && article.type !== "article" ? h("span", { class: "type" }, article.type) : null,
      ),
      h(
        "ul",
        { class: "topics" },
        ...article.topics.map((topic) =>
          h("li", {}, h("a", { href: `/topic/${encodeURIComponent(topic.slug)}` }, topic.name)),
        ),
      ),
    ),
  );
}

/** The picture, or a placeholder when there is none or it does not load (a publisher's image
 * server that is down or blocks hot-linking should not leave a broken-image icon). */
function leadImage(image: CardFields["leadImage"]): HTMLElement {
  const placeholder = () => h("div", { class: "lead placeholder" });
  if (!image) return placeholder();
  const img = h("img", {
    class: "lead",
    src: image.url,
    width: image.width ?? 360,
    height: image.height ?? 200,
    alt: "",
    loading: "lazy",
    decoding: "async",
  });
  img.addEventListener("error", () => img.replaceWith(placeholder()), { once: true });
  return img;
}
