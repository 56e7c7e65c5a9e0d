export {
  ACCESS_TOKEN_TYP,
  type AccessTokenClaims,
  AccessTokenService,
  type AccessTokenServiceOptions,
  type AccessTokenSubject,
  accessTokenClaimsSchema,
  type IssuedAccessToken,
} from './access-token.js';
export * from './entities.js';
export { type ClientInfo, SessionTokenService, type SessionTokens } from './session-tokens.js';
