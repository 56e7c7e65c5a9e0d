import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema } from '../common/schemas';
import { impersonateBodySchema, impersonationResponseSchema } from './schemas';

/** Impersonation (#14): `POST /accounts/{id}/impersonate`, part of the accounts router. */
export const impersonationRoutes = c.router({
  impersonate: {
    method: 'POST',
    path: '/accounts/:id/impersonate',
    summary:
      'An access token for another account, acted in by you (`act` claim, RFC 8693), for at most 15 minutes',
    description:
      'No refresh token. The token carries `act: { sub: <your account id> }`, policies see it as `subject.actor`, and every request made with it is audited with both ids. Its session ends when either account is locked, banned, deactivated or deleted. Refused: an API key (`403 credential_not_allowed`: an API key has no account to act as), yourself (`403 self_target`), an account whose role can manage the tenant (`403 impersonation_not_allowed`), an account holding permissions you lack (`403 forbidden`), a caller who is impersonating already (`403 impersonation_not_allowed`: no chains), an account that is not active (`409 status_conflict`).',
    pathParams: idParamsSchema,
    body: impersonateBodySchema,
    responses: { 200: impersonationResponseSchema, ...problems(401, 403, 404, 409) },
    metadata: routeMeta('Accounts')({ auth: 'user', permission: 'accounts.impersonate' }),
  },
});
