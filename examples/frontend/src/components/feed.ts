/** An infinite list: the first page, then the next one each time the end of the list scrolls
 * into view. Pages are fetched with the previous page's `endCursor`; the cache (Relay
 * pagination) answers each with every page so far, so the list only appends what is new. */
import type { AnyVariables, Client, OperationResult, RequestPolicy, TypedDocumentNode } from "@urql/core";
import { h } from "../dom";

export interface Page<Item> {
  items: readonly Item[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface FeedOptions<Data, Variables extends AnyVariables, Item> {
  client: Client;
  query: TypedDocumentNode<Data, Variables>;
  variables: (after: string | null) => Variables;
  /** The list in a result; null when the result has none (a topic that does not exist). */
  page: (data: Data) => Page<Item> | null;
  key: (item: Item) => string;
  render: (item: Item) => HTMLElement;
  /** Every result with data (the first page's header and sidebar come from it). */
  onData?: (data: Data) => void;
  onError: (message: string) => void;
}

export class Feed<Data, Variables extends AnyVariables, Item> {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly sentinel: HTMLElement;
  private readonly observer: IntersectionObserver;
  private readonly shown = new Set<string>();
  private current: { unsubscribe(): void } | null = null;
  private next: string | null = null;
  private loading = false;

  constructor(private readonly options: FeedOptions<Data, Variables, Item>) {
    this.list = h("div", { class: "cards" });
    this.sentinel = h("div", { class: "more", "aria-hidden": "true" });
    this.element = h("section", { class: "feed" }, this.list, this.sentinel);
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadMore();
    }, { rootMargin: "200px" });
    this.observer.observe(this.sentinel);
  }

  /** Start from the first page (again: `network-only` after new content arrived). */
  start(policy: RequestPolicy = "cache-first"): void {
    this.list.replaceChildren();
    this.shown.clear();
    this.fetch(null, policy);
  }

  dispose(): void {
    this.observer.disconnect();
    this.current?.unsubscribe();
  }

  private loadMore(): void {
    if (this.loading || this.next === null) return;
    this.fetch(this.next, "cache-first");
  }

  private fetch(after: string | null, requestPolicy: RequestPolicy): void {
    this.loading = true;
    this.element.classList.add("loading");
    this.current?.unsubscribe();
    const source = this.options.client.query(this.options.query, this.options.variables(after), {
      requestPolicy,
    });
    this.current = source.subscribe((result) => this.receive(result));
  }

  private receive(result: OperationResult<Data>): void {
    if (result.error) {
      this.loading = false;
      this.options.onError(result.error.message);
      return;
    }
    if (!result.data) return;
    this.options.onData?.(result.data);
    const page = this.options.page(result.data);
    if (page === null) return;
    for (const item of page.items) {
      const key = this.options.key(item);
      if (this.shown.has(key)) continue;
      this.shown.add(key);
      this.list.append(this.options.render(item));
    }
    this.next = page.hasNextPage ? page.endCursor : null;
    this.loading = false;
    this.element.classList.remove("loading");
    this.element.classList.toggle("complete", this.next === null);
    // a short first page may leave the end of the list in view: keep going
    requestAnimationFrame(() => {
      const box = this.sentinel.getBoundingClientRect();
      if (box.top < window.innerHeight + 200) this.loadMore();
    });
  }
}
