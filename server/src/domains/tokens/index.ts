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
export {
  type IssuedRefreshToken,
  REFRESH_TOKEN_PREFIX,
  RefreshTokenService,
  type RefreshTokenServiceOptions,
  type RotatedRefreshToken,
  type RotateOptions,
  type StartSessionInput,
} from './refresh-tokens.js';
export { type ClientInfo, SessionTokenService, type SessionTokens } from './session-tokens.js';
