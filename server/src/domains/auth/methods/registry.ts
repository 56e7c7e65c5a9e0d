import { type AuthProvider, authProviderIds, type LoginBody, type RegisterBody } from '@enforcer/contract';
import {
  type RegistrationMethod as CoreRegistrationMethod,
  type SignInMethod as CoreSignInMethod,
  emailOtpSignIn,
  type OtpService,
  phoneOtpSignIn,
  type RegistrationMethods,
  type Repositories,
  type SignInMethods,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type ITenant, Tenant } from '../../../entities/tenants.js';
import { AppError } from '../../../lib/errors.js';
import { emailOtpMethod } from './email-otp/index.js';
import { googleMethod } from './google/index.js';
import { magicLinkMethod } from './magic-link/index.js';
import type {
  Authentication,
  EmailIdentity,
  LoginProvider,
  MethodContext,
  MethodServices,
  RegisterProvider,
  RegistrationMethod,
  SignInMethod,
} from './method.js';
import { passkeyMethod } from './passkey/login.js';
import { passwordMethod } from './password/index.js';
import { phoneOtpMethod } from './phone-otp/index.js';
import { privyMethod } from './privy/index.js';
import { siweMethod } from './siwe/index.js';

type AnySignInMethod = SignInMethod<LoginProvider>;
type AnyRegistrationMethod = RegistrationMethod<RegisterProvider>;

/**
 * The login methods, keyed by provider id (`POST /auth/login`'s `provider`). One list; what a tenant
 * accepts filters it (`tenant.authProviders`).
 */
export class MethodRegistry {
  readonly #login = new Map<AuthProvider, AnySignInMethod>();
  readonly #register = new Map<AuthProvider, AnyRegistrationMethod>();

  constructor(methods: Array<AnySignInMethod & Partial<Pick<AnyRegistrationMethod, 'register'>>>) {
    for (const method of methods) {
      if (this.#login.has(method.id)) throw new Error(`duplicate sign-in method ${method.id}`);
      this.#login.set(method.id, method);
      if (typeof method.register === 'function') {
        this.#register.set(method.id, method as AnyRegistrationMethod);
      }
    }
  }

  /** Provider ids with a sign-in method. */
  get providers(): AuthProvider[] {
    return authProviderIds.filter((id) => this.#login.has(id));
  }

  /** Does the tenant accept `provider`, and do we implement it? (`provider_not_allowed` otherwise.) */
  assertAccepted(tenant: ITenant, provider: AuthProvider): void {
    if (!tenant.authProviders.includes(provider) || !this.#login.has(provider)) {
      throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
    }
  }

  /** The `amr` values of a session started with `provider`. */
  amrOf(provider: LoginProvider): string[] {
    return [...(this.#login.get(provider)?.amr ?? [])];
  }

  /** The server's own method for `provider` (the core's login flow reaches it through `coreSignInMethods`). */
  method(provider: LoginProvider): AnySignInMethod | undefined {
    return this.#login.get(provider);
  }

  authenticate(ctx: MethodContext & { tenant: ITenant }, body: LoginBody): Promise<Authentication> {
    const method = this.#login.get(body.provider);
    if (!method) throw new AppError('provider_not_allowed', `${body.provider} sign-in is not available`);
    return method.authenticate(ctx, body as never);
  }

  register(ctx: MethodContext, body: RegisterBody): Promise<EmailIdentity> {
    const method = this.#register.get(body.provider);
    if (!method) throw new AppError('provider_not_allowed', `${body.provider} registration is not available`);
    return method.register(ctx, body as never);
  }

  /**
   * May a session authenticated with `amr` be carried into `tenant` (join, switch, invite)? Only if the
   * tenant accepts one of the methods that produce those `amr` values: a tenant that turned email codes
   * off is not entered with a session that was started by an email code somewhere else.
   */
  acceptsSession(tenant: Pick<ITenant, 'authProviders'>, amr: readonly string[]): boolean {
    return tenant.authProviders.some((provider) => {
      const method = this.#login.get(provider as AuthProvider);
      return method?.amr.some((value) => amr.includes(value)) ?? false;
    });
  }

  assertAcceptsSession(tenant: Pick<ITenant, 'authProviders'>, amr: readonly string[]): void {
    if (!this.acceptsSession(tenant, amr)) {
      throw new AppError(
        'provider_not_allowed',
        'This tenant does not accept the sign-in method of your session; sign in to it directly',
      );
    }
  }
}

/** Every sign-in method the server implements. */
export const defaultMethods = () =>
  new MethodRegistry([
    emailOtpMethod,
    passwordMethod,
    magicLinkMethod,
    phoneOtpMethod,
    googleMethod,
    siweMethod,
    privyMethod,
    passkeyMethod,
  ]);

/**
 * Transitional: a server method (it takes `em`) as a core `SignInMethod`, for the core's login flow, until
 * the method itself is moved into the core. It runs on the entity manager of the login's unit of work.
 */
function adapted<P extends LoginProvider>(
  method: SignInMethod<P>,
  services: MethodServices,
  entityManagerOf: (repos: Repositories) => EntityManager,
): CoreSignInMethod<P> {
  return {
    id: method.id,
    amr: method.amr,
    async authenticate({ repos, tenant, client }, body) {
      const em = entityManagerOf(repos);
      const entity = await em.findOneOrFail(Tenant, tenant.id);
      const auth = await method.authenticate({ em, services, client, tenant: entity }, body);
      if (auth.ok) return auth;
      const { error, reason } = auth;
      return { ok: false, code: error.code, detail: error.message, reason, cause: error };
    },
  };
}

type CoreServices = MethodServices & {
  otpService: OtpService;
  uow: { entityManagerOf(repos: Repositories): EntityManager };
};

/**
 * The methods the core's login flow runs: the core's own (`email_otp`, `phone_otp`, over the core's
 * `OtpService` in the login's transaction), the others adapted from the server's registry.
 */
export function coreSignInMethods(registry: MethodRegistry, services: CoreServices): SignInMethods {
  const entityManagerOf = (repos: Repositories) => services.uow.entityManagerOf(repos);
  const codes = { otp: services.otpService };
  const methods: Record<string, unknown> = {
    email_otp: emailOtpSignIn(codes),
    phone_otp: phoneOtpSignIn(codes),
  };
  for (const provider of registry.providers) {
    const method = registry.method(provider as LoginProvider);
    if (method && !(provider in methods)) methods[provider] = adapted(method, services, entityManagerOf);
  }
  return methods as SignInMethods;
}

/**
 * The registrations the core's `POST /auth/register` runs: the core's `email_otp`, the others (password)
 * adapted from the server's registry on the entity manager of the registration's unit of work.
 */
export function coreRegistrationMethods(
  registry: MethodRegistry,
  services: CoreServices,
): RegistrationMethods {
  const methods: Record<string, unknown> = {
    email_otp: emailOtpSignIn({ otp: services.otpService }),
  };
  for (const provider of ['password'] as const) {
    methods[provider] = {
      id: provider,
      register: ({ repos, client }, body) =>
        registry.register({ em: services.uow.entityManagerOf(repos), services, client }, body),
    } satisfies CoreRegistrationMethod<typeof provider>;
  }
  return methods as RegistrationMethods;
}
