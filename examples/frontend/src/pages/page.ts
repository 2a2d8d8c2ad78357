/** What every page is: an element to show and a way to stop its queries when leaving it. */
import type { Client } from "@urql/core";
import { h } from "../dom";
import type { Route } from "../router";

export interface View {
  element: HTMLElement;
  dispose(): void;
}

export type PageFactory = (client: Client, route: Route) => View;

export function errorBox(message: string): HTMLElement {
  return h("p", { class: "error", role: "alert" }, message);
}

export function notFound(what: string): View {
  return { element: h("section", { class: "not-found" }, h("h1", {}, "Not found"), h("p", {}, what)), dispose() {} };
}
