// @enforcer/sdk-js/msw: a stateful in-memory Enforcer as MSW 3 handlers, for tests.

export { type ManualClock, manualClock } from './clock';
export {
  createEnforcerMock,
  type EnforcerMock,
  type EnforcerMockOptions,
  type SeedAccountInput,
  type SeedTenantInput,
} from './create-enforcer-mock';
export { defaultPolicy } from './default-policy';
export type { MockRequestRecord } from './dispatch';
