import type { ApplicationJwk } from '@enforcer/contract';
import type {
  ApplicationRecord,
  ApplicationStore,
  PageRequest,
  RevokedClientToken,
  UsedClientAssertion,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Application,
  type IApplication,
  RevokedClientToken as RevokedClientTokenEntity,
  UsedClientAssertion as UsedClientAssertionEntity,
} from '../../entities/applications.js';
import { Tenant } from '../../entities/tenants.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';

const record = (row: IApplication): ApplicationRecord => ({
  id: row.id,
  tenantId: row.tenant.id,
  name: row.name,
  description: row.description ?? null,
  clientId: row.clientId,
  authMethod: row.tokenEndpointAuthMethod === 'private_key_jwt' ? 'private_key_jwt' : 'client_secret_basic',
  secretPrefix: row.secretPrefix ?? null,
  secretHash: row.secretHash ?? null,
  jwks: (row.jwks as ApplicationJwk[] | null | undefined) ?? null,
  jwksUri: row.jwksUri ?? null,
  scopes: [...row.scopes],
  createdBy: row.createdBy ?? null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  secretRotatedAt: row.secretRotatedAt,
  lastUsedAt: row.lastUsedAt ?? null,
});

/** Applications in `application`, revoked client tokens in `revoked_client_token`, in the unit's transaction. */
export class PostgresApplicationStore implements ApplicationStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async insert(app: ApplicationRecord): Promise<void> {
    const { tenantId, authMethod, ...fields } = app;
    this.#em.create(Application, {
      ...fields,
      tokenEndpointAuthMethod: authMethod,
      tenant: this.#em.getReference(Tenant, tenantId),
    });
    await this.#em.flush();
  }

  async list(tenantId: string, request: PageRequest): Promise<ApplicationRecord[]> {
    const rows = await this.#em.find(
      Application,
      { $and: [{ tenant: tenantId }, afterPosition(request.after)] },
      { orderBy: pageOrder, limit: request.limit },
    );
    return rows.map(record);
  }

  async find(tenantId: string, id: string): Promise<ApplicationRecord | null> {
    const row = await this.#em.findOne(Application, { id, tenant: tenantId });
    return row ? record(row) : null;
  }

  async findByClientId(clientId: string): Promise<ApplicationRecord | null> {
    const row = await this.#em.findOne(Application, { clientId });
    return row ? record(row) : null;
  }

  async update(app: ApplicationRecord): Promise<void> {
    await this.#em.nativeUpdate(
      Application,
      { id: app.id },
      {
        name: app.name,
        description: app.description,
        scopes: [...app.scopes],
        secretHash: app.secretHash,
        secretPrefix: app.secretPrefix,
        jwks: app.jwks,
        jwksUri: app.jwksUri,
        secretRotatedAt: app.secretRotatedAt,
        updatedAt: app.updatedAt,
      },
    );
  }

  async delete(id: string): Promise<void> {
    await this.#em.nativeDelete(Application, { id });
    await this.#em.nativeDelete(UsedClientAssertionEntity, { applicationId: id });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.#em.nativeUpdate(Application, { id }, { lastUsedAt: at });
  }

  async revokeToken(token: RevokedClientToken): Promise<void> {
    await this.#em.execute(
      `insert into "revoked_client_token" ("jti", "tenant_id", "application_id", "expires_at")
       values (?, ?, ?, ?) on conflict ("jti") do nothing`,
      [token.jti, token.tenantId, token.applicationId, token.expiresAt],
    );
  }

  async isTokenRevoked(jti: string, now: Date): Promise<boolean> {
    const row = await this.#em.findOne(RevokedClientTokenEntity, { jti, expiresAt: { $gt: now } });
    return row !== null;
  }

  async useClientAssertion(use: UsedClientAssertion, now: Date): Promise<boolean> {
    await this.#em.execute(
      `delete from "used_client_assertion" where "application_id" = ? and "expires_at" <= ?`,
      [use.applicationId, now],
    );
    // Of two concurrent uses, the second waits for the first's row and then finds it: no row returned.
    const rows = await this.#em.execute<{ jti: string }[]>(
      `insert into "used_client_assertion" ("application_id", "jti", "expires_at") values (?, ?, ?)
       on conflict ("application_id", "jti") do nothing returning "jti"`,
      [use.applicationId, use.jti, use.expiresAt],
    );
    return rows.length === 1;
  }
}
