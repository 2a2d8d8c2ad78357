/** Where the API is: `config.json` next to index.html, outside the bundle, so that one build
 * serves any deployment (scripts/frontend and the browser test write their own). */
export interface Config {
  /** The GraphQL endpoint over HTTP; its WebSocket address is the same with ws(s)://. */
  api: string;
}

export async function loadConfig(): Promise<Config> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-cache" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Partial<Config>;
  if (typeof config.api !== "string") throw new Error("config.json has no `api` address");
  return { api: config.api };
}
