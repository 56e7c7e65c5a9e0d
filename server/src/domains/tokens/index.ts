export { type AccessTokenClaims, accessTokenClaimsSchema } from '@enforcer/contract';
export {
  ACCESS_TOKEN_TYP,
  AccessTokenService,
  type AccessTokenServiceOptions,
  type AccessTokenSubject,
  type IssuedAccessToken,
} from '@enforcer/core';
export * from './entities.js';
export { type ClientInfo, SessionTokenService, type SessionTokens } from './session-tokens.js';
