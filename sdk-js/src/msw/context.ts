import type { contract, RouteMetadata } from '@enforcer/contract';
import type { AppRoute, AppRouter, ServerInferRequest, ServerInferResponses } from '@ts-rest/core';
import type { AccessTokenClaims } from '../session/claims';
import type { AccountRow, ApiKeyRow, MockStore, SessionRow } from './store';
import type { MockTokens } from './tokens';

export interface UserPrincipal {
  kind: 'user';
  claims: AccessTokenClaims;
  account: AccountRow;
  session: SessionRow;
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  key: ApiKeyRow;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

export interface MockContext {
  store: MockStore;
  tokens: MockTokens;
  /** Who is calling (undefined on public routes). */
  principal: Principal | undefined;
  meta: RouteMetadata;
}

/** One route's implementation, typed from the contract (requests parsed, answers checked by tsc). */
export type RouteImpl<R extends AppRoute> = (
  request: ServerInferRequest<R>,
  ctx: MockContext,
) => ServerInferResponses<R> | Promise<ServerInferResponses<R>>;

export type RouterImpl<T extends AppRouter> = {
  [K in keyof T]: T[K] extends AppRoute ? RouteImpl<T[K]> : T[K] extends AppRouter ? RouterImpl<T[K]> : never;
};

export type ContractImpl = RouterImpl<typeof contract>;
