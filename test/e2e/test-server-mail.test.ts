// What @enforcer/server/testing tells about mail and requests, as the benches use it: each mail the outbox
// worker delivers through the development delivery reaches `onMail` listeners (the sign-in code bench reads
// codes this way) and `sentMail()`; a server started with `recordRequests: false` keeps no request log.
import type { MailMessage } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { startServer } from './harness.js';

const server = await startServer({
  env: { MESSAGE_WORKER: 'true', MESSAGE_POLL_INTERVAL_MS: '100' },
});
const quiet = await startServer({ shareDatabaseWith: server, recordRequests: false });

describe('the test server', () => {
  it('hands each delivered mail to onMail listeners until they unsubscribe, and keeps it in sentMail()', async () => {
    const tenant = await server.db.seedTenant({ name: 'Mail Co', authProviders: ['email_otp'] });
    const { email } = await server.db.seedAccount({ tenantId: tenant.id });
    const seen: MailMessage[] = [];
    const unsubscribe = server.onMail((mail) => seen.push(mail));
    expect(unsubscribe).toBeTypeOf('function');
    const asked = await server.api<{ code?: string }>('POST', '/auth/otp/request', {
      body: { email, tenant_code: tenant.code },
    });
    expect(asked.status).toBe(200);
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);
    expect(seen[0]!.to).toBe(email);
    // The mailed code is the one a test server also puts in its answer.
    expect(/^\s+(\d{6})\s*$/m.exec(seen[0]!.text)?.[1]).toBe(asked.body.code);
    expect(server.sentMail()?.at(-1)).toEqual(seen[0]);

    unsubscribe?.();
    await server.api('POST', '/auth/otp/request', { body: { email, tenant_code: tenant.code } });
    await expect.poll(() => server.sentMail()?.filter((mail) => mail.to === email).length).toBe(2);
    expect(seen).toHaveLength(1);
  });

  it('keeps no request log when started with recordRequests: false', async () => {
    const answer = await quiet.api('GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(quiet.requests).toEqual([]);
    expect(quiet.answers).toEqual([]);
    await server.api('GET', '/healthz');
    expect(server.requests.at(-1)).toMatch(/^GET .*healthz$/);
  });
});
