import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Person } from './accounts.js';

/**
 * A person's password (one per person, valid in every tenant that accepts `password`): only its argon2id
 * hash, in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so parameters can be raised
 * later and old hashes upgraded at the next successful sign-in.
 */
export const PasswordCredential = defineEntity({
  name: 'PasswordCredential',
  tableName: 'password_credential',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    person: () => p.manyToOne(Person).unique().deleteRule('cascade'),
    hash: p.text(),
    createdAt: p.datetime(),
    changedAt: p.datetime(),
  },
});
export type IPasswordCredential = InferEntity<typeof PasswordCredential>;
