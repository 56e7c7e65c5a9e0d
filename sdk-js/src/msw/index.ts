// @enforcer/sdk-js/msw: a stateful in-memory Enforcer as MSW 3 handlers, for tests.

export { defaultPolicy } from '@enforcer/contract';
export { type ManualClock, manualClock } from './clock';
export {
  createEnforcerMock,
  type EnforcerMock,
  type EnforcerMockOptions,
  type SeedAccountInput,
  type SeedTenantInput,
} from './create-enforcer-mock';
export type { MockRequestRecord } from './dispatch';
export type { GoogleIdTokenClaims } from './methods/google';
export type { FakeOAuthIdentity, MockOAuthProvider } from './oauth-provider';
export type { FakeAppleUser, MockAppleProvider } from './providers/apple';
export type { FakeGitHubUser, MockGitHubProvider } from './providers/github';
export type { FakeMicrosoftUser, MockMicrosoftProvider } from './providers/microsoft';
