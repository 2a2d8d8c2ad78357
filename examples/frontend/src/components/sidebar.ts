/** The facet sidebar: one group per facet, each value a link to the same page with the value's
 * `toggle` as the filter (the API builds it: the current filter with that value added or
 * removed). Values within a group are alternatives; groups combine. */
import type { FacetValue, SidebarFields } from "../documents";
import { h } from "../dom";
import { withFilter } from "../router";

const GROUPS: ReadonlyArray<[keyof SidebarFields, string]> = [
  ["topics", "Topics"],
  ["providers", "Sources"],
  ["types", "Types"],
  ["years", "Archive"],
  ["months", "Months"],
];

export interface SidebarOptions {
  /** Extra parameters of the page's address (the search words). */
  params?: Record<string, string>;
  /** The page's own scope (a topic page's topic): every article has it, so it filters nothing. */
  scope?: { group: keyof SidebarFields; value: string };
}

export function sidebar(facets: SidebarFields, path: string, options: SidebarOptions = {}): HTMLElement {
  const shown = (group: keyof SidebarFields): FacetValue[] =>
    facets[group].filter((v) => !(options.scope?.group === group && options.scope.value === v.value));
  return h(
    "aside",
    { class: "sidebar", "aria-label": "Filters" },
    ...GROUPS.filter(([group]) => shown(group).length > 0).map(([group, title]) =>
      h(
        "section",
        { class: "facet-group", "data-group": group },
        h("h3", {}, title),
        h("ul", {}, ...shown(group).map((value) => h("li", {}, facetLink(group, value, path, options.params ?? {})))),
      ),
    ),
  );
}

function facetLink(group: string, value: FacetValue, path: string, extraParams: Record<string, string>): HTMLElement {
  return h(
    "a",
    {
      class: value.selected ? "facet selected" : "facet",
      href: withFilter(path, value.toggle, extraParams),
      "aria-pressed": value.selected ? "true" : "false",
      "data-group": group,
      "data-value": value.value,
    },
    h("span", { class: "check", "aria-hidden": "true" }, value.selected ? "☑" : "☐"),
    h("span", { class: "label" }, value.label ?? value.value),
    h("span", { class: "count" }, String(value.count)),
  );
}
