import type { contract } from '@enforcer/contract';
import type { RouterImplementation } from '@ts-rest/fastify';
import type { Services } from '../../../services.js';
import { proveGoogle } from './google/index.js';
import { passkeyHandlers } from './passkey/routes.js';
import { provePrivy } from './privy/index.js';
import { linkWith } from './routes/link.js';
import { listIdentities } from './routes/list.js';
import { unlinkIdentity } from './routes/unlink.js';
import { proveSiwe } from './siwe/index.js';
import { siweNonce } from './siwe/nonce.js';

type AuthHandlers = RouterImplementation<typeof contract.auth>;
type MethodHandlers = Pick<
  AuthHandlers,
  | 'identities'
  | 'linkPhone'
  | 'linkGoogle'
  | 'linkSiwe'
  | 'linkPrivy'
  | 'unlinkIdentity'
  | 'siweNonce'
  | 'passkeyRegisterBegin'
  | 'passkeyRegisterFinish'
  | 'passkeyLoginBegin'
  | 'passkeyCredentials'
  | 'deletePasskey'
>;

/**
 * The handlers of `authMethodRoutes` (contract/src/auth/method-routes.ts), spread into the auth routes.
 */
export function authMethodHandlers(services: Services): MethodHandlers {
  return {
    identities: listIdentities,
    linkPhone: async ({ body, request }) =>
      linkWith(request, 'phone_otp', async (tx) => {
        const check = await services.otp.verify(
          tx,
          { email: body.phone, tenantId: null, purpose: 'verify_phone' },
          body.otp,
        );
        if (!check.ok) return { ok: false, error: check.error, reason: check.reason };
        return { ok: true, identity: { provider: 'phone_otp', subject: body.phone } };
      }),
    linkGoogle: async ({ body, request }) =>
      linkWith(request, 'google', (tx, tenant) => proveGoogle(tx, services, tenant, body)),
    linkSiwe: async ({ body, request }) =>
      linkWith(request, 'siwe', (tx, tenant) => proveSiwe(tx, services, tenant, body)),
    linkPrivy: async ({ body, request }) =>
      linkWith(request, 'privy', (_tx, tenant) => provePrivy(services, tenant, body.token)),
    unlinkIdentity,
    siweNonce,
    ...passkeyHandlers,
  };
}
