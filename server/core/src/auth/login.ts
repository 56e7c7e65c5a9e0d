import { defaultMemberRole, type LoginBody, type TokenResponse } from '@enforcer/contract';
import type { AccountRecord } from '../accounts/ports.js';
import { joinProvisioned } from '../accounts/provisioning.js';
import { admitAccount } from '../accounts/status.js';
import type { ClientInfo } from '../caller.js';
import { AppError, refusalError } from '../errors.js';
import type { LoginProvider, SignInMethod } from '../methods/method.js';
import type { ProofRefusal } from '../methods/result.js';
import type { PersonRecord } from '../persons/ports.js';
import type { Clock } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { countsAsGuess, loginIdentifier, personIdentifier } from '../throttle/rules.js';
import type { SignInThrottle } from '../throttle/sign-in-throttle.js';
import type { SessionTokens } from './open-session.js';
import { type EmailFirstProven, resolvePerson } from './resolve-person.js';

/** The sign-in methods a side implements, by provider (a tenant's `authProviders` filters them). */
export type SignInMethods = { readonly [P in LoginProvider]?: SignInMethod<P> };

/** What the second-factor gate is told once the first factor is proven and the account is active. */
export interface SecondFactorInput {
  account: AccountRecord;
  person: PersonRecord;
  tenant: TenantRecord;
  provider: LoginProvider;
  amr: readonly string[];
  client: ClientInfo;
}

/**
 * The login's MFA gate: `401 mfa_required` (with the `mfa_token` extensions) when the person must give a
 * second factor before a session opens, else null. What it records (the challenge) commits with the login.
 * Each side passes its current code until the MFA rules are the core's.
 */
export interface SecondFactorGate {
  require(repos: Repositories, input: SecondFactorInput): Promise<AppError | null>;
}

export interface LoginDeps {
  uow: UnitOfWork;
  clock: Clock;
  throttle: SignInThrottle;
  methods: SignInMethods;
  sessions: SessionTokens;
  onEmailFirstProven: EmailFirstProven;
  secondFactor: SecondFactorGate;
}

/** A refusal decided inside a unit of work whose writes (counted attempts, audit events) must commit. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

const refused = (error: AppError): { ok: false; error: AppError } => ({ ok: false, error });

/** A proof's refusal as the error to answer (an adapted method may carry its own error as the cause). */
const proofError = (refusal: ProofRefusal): AppError =>
  refusal.cause instanceof AppError ? refusal.cause : refusalError(refusal);

/** Commits `work`'s unit of work, then answers its value or throws its refusal. */
export async function committed<T>(uow: UnitOfWork, work: (repos: Repositories) => Promise<Outcome<T>>) {
  const outcome = await uow.transaction(work);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** The tenant with this (normalised) code, or `404 not_found`. */
export async function tenantByCode(repos: Repositories, code: string): Promise<TenantRecord> {
  const tenant = await repos.tenants.findByCode(code);
  if (!tenant) throw new AppError('not_found', 'No tenant has this code');
  return tenant;
}

/**
 * The login flow (`POST /auth/login`): `provider` picks the sign-in method, which proves who the caller
 * is; then, the same for every method: the person (created, or marked verified), the account in the
 * tenant (created when the tenant allows sign-up, as `member`), the second factor, the session.
 *
 * Failures after the tenant is known are audited (`auth.login.failed`) and committed with whatever the
 * method counted (a wrong code's attempt). A right code followed by a refusal (sign-up disabled, account
 * deactivated) is spent: codes are single use. Membership is only revealed after the proof.
 */
export async function login(deps: LoginDeps, body: LoginBody, client: ClientInfo): Promise<TokenResponse> {
  const tenant = await deps.uow.read((repos) => tenantByCode(repos, body.tenant_code));
  return committed(deps.uow, (repos) => attempt(repos, deps, tenant, body, client));
}

async function attempt(
  repos: Repositories,
  deps: LoginDeps,
  tenant: TenantRecord,
  body: LoginBody,
  client: ClientInfo,
): Promise<Outcome<TokenResponse>> {
  const { clock, throttle } = deps;
  /** `attempted`: the account a failed proof was aimed at, when one exists (its owner's activity shows it). */
  const failed = (reason: string, error: AppError, accountId?: string, attempted?: string) => {
    repos.audit.record({
      action: 'auth.login.failed',
      actor: accountId ? { type: 'account', id: accountId } : { type: 'anonymous' },
      tenantId: tenant.id,
      target: attempted ? { type: 'account', id: attempted } : { type: 'tenant', id: tenant.id },
      ...client,
      details: { provider: body.provider, reason, email: 'email' in body ? body.email : undefined },
    });
    return refused(error);
  };

  const method = deps.methods[body.provider] as SignInMethod | undefined;
  if (!method || !tenant.authProviders.includes(body.provider)) {
    const error = new AppError(
      'provider_not_allowed',
      `This tenant does not accept ${body.provider} sign-in`,
    );
    return failed('provider_not_allowed', error);
  }

  const subject = { tenantId: tenant.id, identifier: loginIdentifier(body), client };
  const gate = await throttle.gate(subject, repos);
  if (gate) return failed(gate.code, gate);
  const auth = await method.authenticate({ repos, tenant, client }, body as never);
  if (!auth.ok) {
    const limited = countsAsGuess(auth.reason)
      ? await throttle.recordFailure(subject, auth.reason, repos)
      : undefined;
    return failed(
      auth.reason,
      limited ?? proofError(auth),
      undefined,
      await attemptedAccount(repos, tenant, body),
    );
  }

  const resolved = await resolvePerson(repos, clock, auth.identity, deps.onEmailFirstProven);
  if (!resolved.ok) return failed(resolved.reason, proofError(resolved));
  const { person } = resolved;
  const lockout = await throttle.lockedOut(tenant.id, personIdentifier(person), repos);
  if (lockout) return failed('account_locked', lockout);
  let account = await repos.accounts.findOfPerson(person.id, tenant.id);
  // The JIT join: a pending provisioning for a proven email or phone of this person makes the account,
  // invite-only tenant or not (an admin asked for it).
  const provisioned = account
    ? null
    : await joinProvisioned(repos, { person, tenantId: tenant.id, now: clock.now() });
  if (provisioned) {
    account = provisioned.account;
    repos.audit.record({
      action: 'auth.account.created',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: {
        via: 'provisioning',
        provider: body.provider,
        roles: account.roles,
        invite_id: provisioned.invite.id,
      },
    });
  }
  if (!account) {
    if (!tenant.allowSignup) {
      return failed('signup_disabled', new AppError('signup_disabled', 'This tenant is invite-only'));
    }
    account = await repos.accounts.create({
      personId: person.id,
      tenantId: tenant.id,
      role: defaultMemberRole,
    });
    repos.audit.record({
      action: 'auth.account.created',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: { via: 'login', provider: body.provider, role: account.role },
    });
  }
  const admitted = await admitAccount(repos, account, clock.now(), client);
  if (admitted.refusal) return failed(admitted.refusal.code, admitted.refusal, account.id);
  account = admitted.account;
  const amr = [...method.amr];
  const mfa = await deps.secondFactor.require(repos, {
    account,
    person,
    tenant,
    provider: body.provider,
    amr,
    client,
  });
  if (mfa) return refused(mfa);
  await throttle.recordSuccess({ tenantId: tenant.id, identifier: personIdentifier(person) }, repos);
  const session = await deps.sessions.open(repos, { accountId: account.id, amr, client });
  repos.audit.record({
    action: 'auth.login.succeeded',
    actor: { type: 'account', id: account.id },
    tenantId: tenant.id,
    target: { type: 'session', id: session.sessionId },
    ...client,
    details: { provider: body.provider, amr },
  });
  return { ok: true, value: session.response };
}

/**
 * Whether a session authenticated with `amr` may be carried into a tenant accepting `authProviders` (join,
 * switch, invite, a new tenant): only if the tenant accepts a method producing one of those values. A
 * tenant that turned email codes off is not entered with a session an email code started elsewhere.
 */
export const acceptsSession = (
  methods: SignInMethods,
  authProviders: readonly string[],
  amr: readonly string[],
): boolean =>
  authProviders.some((provider) =>
    (methods[provider as LoginProvider]?.amr ?? []).some((value) => amr.includes(value)),
  );

/** A person id no person has (uuid nil). */
const NO_PERSON = '00000000-0000-0000-0000-000000000000';

/** The tenant's account of the email a failed sign-in named, if there is one (for the audit event's target). */
async function attemptedAccount(
  repos: Repositories,
  tenant: TenantRecord,
  body: LoginBody,
): Promise<string | undefined> {
  if (!('email' in body) || typeof body.email !== 'string') return undefined;
  const person = await repos.persons.findByEmail(body.email);
  // Both lookups run whether or not the email is anyone's: a failed sign-in takes as long either way.
  const account = await repos.accounts.findOfPerson(person?.id ?? NO_PERSON, tenant.id);
  return account?.id;
}
