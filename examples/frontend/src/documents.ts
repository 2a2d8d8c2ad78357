/** The app's GraphQL documents, from the .graphql files that GraphQL Code Generator also reads,
 * each bound to the types it generated (src/generated/graphql.ts). */
import { gql, type TypedDocumentNode } from "@urql/core";
import type * as T from "./generated/graphql";
import articleText from "./graphql/article.graphql?raw";
import fragmentsText from "./graphql/fragments.graphql?raw";
import homeText from "./graphql/home.graphql?raw";
import liveText from "./graphql/live.graphql?raw";
import providerText from "./graphql/provider.graphql?raw";
import searchText from "./graphql/search.graphql?raw";
import topicText from "./graphql/topic.graphql?raw";
import trendingText from "./graphql/trending.graphql?raw";

/** fragment name -> its definition, from fragments.graphql */
const FRAGMENTS = new Map(
  fragmentsText
    .split(/\n(?=fragment |#)/)
    .map((chunk) => chunk.replace(/^#.*\n/gm, "").trim())
    .filter((chunk) => chunk.startsWith("fragment "))
    .map((chunk) => [/^fragment (\w+)/.exec(chunk)![1], chunk] as const),
);

/** An operation with exactly the fragments it spreads, transitively (the server refuses a
 * document with unused fragments, as the GraphQL spec asks). */
function document<Data, Variables extends object>(
  text: string,
): TypedDocumentNode<Data, Variables> {
  const parts = [text];
  const wanted = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    for (const [, name] of parts[i].matchAll(/\.\.\.\s*(\w+)/g)) {
      const fragment = FRAGMENTS.get(name);
      if (fragment && !wanted.has(name)) {
        wanted.add(name);
        parts.push(fragment);
      }
    }
  }
  return gql(parts.join("\n\n"));
}

export const Home = document<T.HomeQuery, T.HomeQueryVariables>(homeText);
export const NewArticles = document<T.NewArticlesSubscription, T.NewArticlesSubscriptionVariables>(
  liveText,
);
export const TopicFeed = document<T.TopicFeedQuery, T.TopicFeedQueryVariables>(topicText);
export const ProviderFeed = document<T.ProviderFeedQuery, T.ProviderFeedQueryVariables>(
  providerText,
);
export const Trending = document<T.TrendingQuery, T.TrendingQueryVariables>(trendingText);
export const Search = document<T.SearchQuery, T.SearchQueryVariables>(searchText);
export const ArticlePage = document<T.ArticlePageQuery, T.ArticlePageQueryVariables>(articleText);

export type CardFields = T.CardFragment;
export type FacetValue = T.FacetValueFragment;
export type SidebarFields = T.SidebarFragment;
export type ArticleFilter = T.ArticleFilter;
