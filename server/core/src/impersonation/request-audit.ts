import { auditActorOf, type Caller, type ClientInfo } from '../caller.js';
import type { UnitOfWork } from '../store.js';

/** One request as its audit event names it: the contract's route (not the raw URL) and the answer's status. */
export interface AnsweredRequest {
  method: string;
  /** The route's path pattern (`/api/v1/enforcer/accounts/:id`): ids in the URL stay out of the log. */
  route: string;
  status: number;
}

/**
 * Every request made with an impersonation token is audited (#14), whatever it does and whether or not
 * it succeeded: `account.impersonation.request`, the impersonated account as actor and target, the admin
 * in `details.impersonator_account_id`, with the method, route and status. The server records it before the
 * answer is sent, the mock once it is made; a request with any other credential records nothing here.
 */
export async function recordImpersonatedRequest(
  uow: UnitOfWork,
  caller: Caller | undefined,
  request: AnsweredRequest,
  client: ClientInfo,
): Promise<void> {
  if (caller?.kind !== 'user' || !caller.actorAccountId) return;
  await uow.transaction(async (repos) => {
    repos.audit.record({
      action: 'account.impersonation.request',
      actor: auditActorOf(caller),
      tenantId: caller.tenantId,
      target: { type: 'account', id: caller.accountId },
      ...client,
      details: { method: request.method, route: request.route, status: request.status },
    });
  });
}
