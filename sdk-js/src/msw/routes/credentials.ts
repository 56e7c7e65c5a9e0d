import type { contract } from '@enforcer/contract';
import type { RouterImpl } from '../dispatch';
import { unsupportedMethod } from './auth-methods';

/**
 * Passwords, TOTP and magic links are not in the mock (it signs people in with email codes): every call
 * answers `403 provider_not_configured`, so a test that needs them talks to a real server.
 */
const refuse = (what: string) => () => {
  throw unsupportedMethod(what);
};

export const passwordRoutes: RouterImpl<typeof contract.password> = {
  change: refuse('passwords'),
  requestReset: refuse('passwords'),
  confirmReset: refuse('passwords'),
};

export const mfaRoutes: RouterImpl<typeof contract.mfa> = {
  status: refuse('two-step verification'),
  enroll: refuse('two-step verification'),
  confirm: refuse('two-step verification'),
  disable: refuse('two-step verification'),
  regenerateRecoveryCodes: refuse('two-step verification'),
  verify: refuse('two-step verification'),
  stepUp: refuse('two-step verification'),
};

export const magicLinkRoutes: RouterImpl<typeof contract.magicLink> = {
  request: refuse('magic links'),
  getSettings: refuse('magic links'),
  putSettings: refuse('magic links'),
};
