/** A few DOM helpers: the app is plain TypeScript, no framework. */
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined>;

/** `h("a", {href: "/"}, "Home")`: an element with attributes (false/null left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** An element whose inner HTML the API made safe (sanitised bodies and embeds, escaped
 * snippets with the marks we asked for). Never used for text the API did not make safe. */
export function trustedHtml<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  html: string,
): HTMLElementTagNameMap[K] {
  const element = h(tag, { class: className });
  element.innerHTML = html;
  return element;
}

const DATE = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function when(iso: string | null): HTMLElement | null {
  if (!iso) return null;
  return h("time", { datetime: iso }, DATE.format(new Date(iso)));
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;
}
