// Access tokens themselves (AccessTokenService, claims) are the core's and the contract's: import them from there.
export * from '../../entities/sessions.js';
