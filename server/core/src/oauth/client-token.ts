import type { ClientCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { assertTenantActive } from '../operator/tenant-status.js';
import type { Clock } from '../platform.js';
import type { Repositories } from '../store.js';
import type { AccessTokenService } from '../tokens/access-tokens.js';

/**
 * The caller an application's access token (#18) stands for, on routes that take one: its signature and
 * claims checked, then the application as it is now. A deleted application's token, or a revoked one
 * (`POST /oauth/revoke`), is `401 token_invalid`; a scope taken from the application since the token was
 * issued no longer counts (the server decides with today's application, as it does with today's account).
 */
export async function authenticateClientToken(
  repos: Repositories,
  deps: { access: AccessTokenService; clock: Clock },
  token: string,
): Promise<ClientCaller> {
  const claims = await deps.access.verifyClient(token);
  const app = await repos.applications.findByClientId(claims.client_id);
  if (!app || app.tenantId !== claims.tenant_id) {
    throw new AppError('token_invalid', 'This application no longer exists');
  }
  if (await repos.applications.isTokenRevoked(claims.jti, deps.clock.now())) {
    throw new AppError('token_invalid', 'This token has been revoked');
  }
  // A suspended (or pending deletion) tenant's application tokens stop working, as its users' do (#15).
  assertTenantActive(await repos.tenants.find(app.tenantId));
  return {
    kind: 'client',
    tenantId: app.tenantId,
    clientId: app.clientId,
    applicationId: app.id,
    scopes: claims.scope.split(' ').filter((s) => s !== '' && app.scopes.includes(s)),
  };
}
