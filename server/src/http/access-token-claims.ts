// The claims are defined once, in the contract (the SDKs and the verifier read the same type).
export { type AccessTokenClaims, accessTokenClaimsSchema } from '@enforcer/contract';
