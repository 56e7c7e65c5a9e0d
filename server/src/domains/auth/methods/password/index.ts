import { Person } from '../../../../entities/accounts.js';
import { PasswordCredential } from '../../../../entities/passwords.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { lockIdentity } from '../../accounts.js';
import type { RegistrationMethod, SignInMethod } from '../method.js';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './hashing.js';
import { assertStrongPassword } from './policy.js';

const wrong = () => new AppError('invalid_credentials', 'The email or the password is wrong');

/**
 * `password`: email + password (argon2id). Proves knowledge of the password, not control of the email,
 * so the person's email stays unverified until a code or link proves it. An unknown email, a person
 * without a password and a wrong password take the same time (a dummy hash is verified) and get the
 * same answer. Hashes made with weaker parameters are upgraded at the next successful sign-in.
 *
 * Registration sets the password of a NEW person only: for a registered email it changes nothing (same
 * answer, same work); the owner sets a password with the reset flow, which proves the email.
 */
export const passwordMethod = {
  id: 'password',
  amr: ['pwd'],
  async authenticate(ctx, body) {
    const person = await ctx.em.findOne(Person, { email: body.email });
    const credential = person ? await ctx.em.findOne(PasswordCredential, { person: person.id }) : null;
    if (!credential) {
      await verifyAgainstDummy(body.password);
      return {
        ok: false,
        error: wrong(),
        reason: person ? 'no_password' : 'unknown_account',
        email: body.email,
      };
    }
    if (!(await verifyPassword(credential.hash, body.password))) {
      return { ok: false, error: wrong(), reason: 'wrong_password', email: body.email };
    }
    if (needsRehash(credential.hash)) {
      credential.hash = await hashPassword(body.password);
      await ctx.em.flush();
    }
    return { ok: true, identity: { email: body.email, emailVerified: false } };
  },
  async register(ctx, body) {
    assertStrongPassword(body.password, 'body.password', { email: body.email });
    await lockIdentity(ctx.em, body.email);
    const hash = await hashPassword(body.password);
    const existing = await ctx.em.findOne(Person, { email: body.email });
    if (!existing) {
      const now = ctx.services.clock.now();
      const person = ctx.em.create(Person, { email: body.email, emailVerifiedAt: null, createdAt: now });
      ctx.em.create(PasswordCredential, { person, hash, createdAt: now, changedAt: now });
      await ctx.em.flush();
      recordAudit(ctx.em, ctx.services.clock, {
        action: 'auth.password.set',
        actor: { type: 'person', id: person.id },
        target: { type: 'person', id: person.id },
        ...ctx.client,
        details: { via: 'register' },
      });
    }
    return { email: body.email, emailVerified: false };
  },
} satisfies SignInMethod<'password'> & RegistrationMethod<'password'>;
