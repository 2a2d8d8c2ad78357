/** Start-up: read config.json, make the client, route. */
import "./style.css";
import type { Client } from "@urql/core";
import { makeClient } from "./client";
import { loadConfig } from "./config";
import { articlePage } from "./pages/article";
import { homePage } from "./pages/home";
import { errorBox, notFound, type PageFactory, type View } from "./pages/page";
import { providerPage } from "./pages/provider";
import { searchPage } from "./pages/search";
import { topicPage } from "./pages/topic";
import { trendingPage } from "./pages/trending";
import { start, type Route } from "./router";

const PAGES: Record<Exclude<Route["name"], "missing">, PageFactory> = {
  home: homePage,
  topic: topicPage,
  provider: providerPage,
  search: searchPage,
  article: articlePage,
  trending: trendingPage,
};

const root = document.getElementById("app")!;
let current: View | null = null;

function show(client: Client, route: Route): void {
  current?.dispose();
  document.title = "newsgraph";
  current = route.name === "missing" ? notFound(`Nothing lives at ${route.param}.`) : PAGES[route.name](client, route);
  root.replaceChildren(current.element);
  root.dataset.page = route.name;
}

loadConfig().then(
  (config) => {
    const client = makeClient(config.api);
    start((route) => show(client, route));
  },
  (error: unknown) => root.replaceChildren(errorBox(`Cannot start: ${String(error)}`)),
);
