import type { TokenResponse } from '@enforcer/contract';
import type { EnforcerClient } from '../client/create-client';
import type { SignedInSnapshot } from '../session/snapshot';

/** What plug-in flows (passkeys, and the other sign-in methods of later steps) build on. */
export interface FlowContext {
  /** The typed client, bearer attached. */
  api: EnforcerClient;
  /** The typed client without credentials (sign-in calls). */
  publicApi: EnforcerClient;
  /** Completes a sign-in with the token pair a flow obtained. */
  signIn(response: TokenResponse): Promise<SignedInSnapshot>;
  tenantCode: string | undefined;
}
