/** History-API routing: links within the app change the page without a reload. A page's facet
 * selection lives in the address (`?filter=` JSON), so every view can be shared and reloaded. */
import type { ArticleFilter } from "./documents";

export interface Route {
  name: "home" | "topic" | "provider" | "search" | "article" | "trending" | "missing";
  param: string;
  query: URLSearchParams;
}

const PATTERNS: ReadonlyArray<[RegExp, Route["name"]]> = [
  [/^\/$/, "home"],
  [/^\/trending$/, "trending"],
  [/^\/search$/, "search"],
  [/^\/topic\/([^/]+)$/, "topic"],
  [/^\/provider\/([^/]+)$/, "provider"],
  [/^\/article\/([^/]+)$/, "article"],
];

export function parse(location: Location | URL): Route {
  for (const [pattern, name] of PATTERNS) {
    const match = pattern.exec(location.pathname);
    if (match) return { name, param: decodeURIComponent(match[1] ?? ""), query: new URLSearchParams(location.search) };
  }
  return { name: "missing", param: location.pathname, query: new URLSearchParams(location.search) };
}

/** The filter in the address, or null (a hand-edited one that is not JSON counts as none). */
export function filterOf(route: Route): ArticleFilter | null {
  const text = route.query.get("filter");
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as ArticleFilter) : null;
  } catch {
    return null;
  }
}

/** `path` with `filter` in the address (none when the filter is empty). */
export function withFilter(path: string, filter: unknown, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  if (filter && typeof filter === "object" && Object.keys(filter).length > 0) {
    params.set("filter", JSON.stringify(filter));
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** Follow links and the search form inside the app with pushState; `render` draws the route. */
export function start(render: (route: Route) => void): void {
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const link = (event.target as Element | null)?.closest("a");
    if (!link || link.target || link.origin !== location.origin) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target as HTMLFormElement;
    if (!form.matches(".search-box")) return;
    event.preventDefault();
    const q = new FormData(form).get("q");
    navigate(`/search?${new URLSearchParams({ q: typeof q === "string" ? q : "" })}`);
  });
  window.addEventListener("popstate", () => render(parse(location)));
  navigate = (to: string) => {
    history.pushState(null, "", to);
    window.scrollTo(0, 0);
    render(parse(location));
  };
  render(parse(location));
}

export let navigate: (to: string) => void = (to) => location.assign(to);
