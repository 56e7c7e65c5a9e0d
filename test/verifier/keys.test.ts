// Key rotation with the server's real key store and JWKS route, and the verifier's JWKS cache:
// one rate-limited refetch for an unknown kid, stale-while-error for a bounded time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Verifier, VerifierErrorCode } from '@enforcer/node-verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackerKey, parts, signWithKey, signWithServerKey } from './forge';
import { eventually, type Member, startEnforcer } from './support';

// Retired keys stay published for 960 s (the least the server allows with a 900 s access TTL).
const enforcer = await startEnforcer({ SIGNING_KEY_RETENTION: '960' });
const keys = enforcer.server.keys;
const jwksFetches = (path = '/.well-known/jwks.json') =>
  enforcer.requests.filter((r) => r.includes(path)).length;
const nowSec = () => Math.floor(enforcer.clock.now().getTime() / 1000);

async function expectRefused(verifier: Verifier, token: string, code: VerifierErrorCode) {
  await expect(verifier.verify(token)).rejects.toMatchObject({ name: 'VerifierError', code });
}

/** The feed is not what these tests are about: the clock jumps minutes ahead of its polls. */
const verifierOptions = (options: Parameters<typeof enforcer.verifier>[0] = {}) =>
  enforcer.verifier({
    revocations: {
      baseUrl: enforcer.baseUrl,
      apiKey: enforcer.apiKey,
      maxStaleness: Number.POSITIVE_INFINITY,
    },
    ...options,
  });

let member: Member;
beforeAll(async () => {
  member = await enforcer.addAccount('member');
});

describe('key rotation', () => {
  it('accepts a new key once published and the old one until it is retired, never one from the token', async () => {
    const verifier = verifierOptions({ jwksCache: { maxAge: 60, cooldown: 1 } });
    const first = await keys.getSigningKey();
    // A token signed by the first key that would outlive it (what a leaked key could sign).
    const outliving = await signWithServerKey(
      enforcer,
      {},
      { ...parts(member.token).payload, exp: nowSec() + 30 * 86_400 },
    );
    await expect(verifier.verify(member.token)).resolves.toBeDefined();
    await expect(verifier.verify(outliving)).resolves.toBeDefined();
    const pendingAtStart = verifier.status().keys.kids;
    expect(pendingAtStart).toHaveLength(2); // active + pre-published pending

    // Rotation: the pending key (published since the start) signs; the first key is retired.
    enforcer.clock.advance(301);
    const rotation = await keys.rotate();
    expect(rotation.retired).toBe(first.kid);
    expect(pendingAtStart).toContain(rotation.activated);
    const afterRotation = await enforcer.signIn(member.accountId);
    expect(parts(afterRotation.token).header.kid).toBe(rotation.activated);
    await expect(verifier.verify(afterRotation.token)).resolves.toMatchObject({
      accountId: member.accountId,
    });
    // Tokens of the retired key keep working while it is published.
    await expect(verifier.verify(member.token)).resolves.toBeDefined();
    await expect(verifier.verify(outliving)).resolves.toBeDefined();

    // A key created and promoted since the verifier's last fetch: its kid is unknown, which makes the
    // verifier fetch once (past the 1 s cooldown), and then it verifies.
    await keys.rotate({ force: true });
    const forced = await keys.rotate({ force: true });
    expect(verifier.status().keys.kids).not.toContain(forced.activated);
    enforcer.clock.advance(2);
    const withNewKey = await enforcer.signIn(member.accountId);
    expect(parts(withNewKey.token).header.kid).toBe(forced.activated);
    const before = jwksFetches();
    await expect(verifier.verify(withNewKey.token)).resolves.toBeDefined();
    expect(jwksFetches()).toBe(before + 1);

    // Past its retention the first key leaves the JWKS: what it signed is refused, cached or not.
    enforcer.clock.advance(961);
    await keys.rotate({ force: true });
    const jwks = (await enforcer.api('GET', '/.well-known/jwks.json')).body as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(first.kid);
    await verifier.refresh();
    await expectRefused(verifier, outliving, 'unknown_key');
  });

  it('forgets cached tokens of a key that left the JWKS on the next refresh it triggers itself', async () => {
    const verifier = verifierOptions({ jwksCache: { maxAge: 60, cooldown: 1 } });
    const current = await keys.getSigningKey();
    const outliving = await signWithServerKey(
      enforcer,
      {},
      { ...parts(member.token).payload, exp: nowSec() + 30 * 86_400 },
    );
    await expect(verifier.verify(outliving)).resolves.toBeDefined(); // now cached
    enforcer.clock.advance(301);
    await keys.rotate({ force: true });
    enforcer.clock.advance(961);
    await keys.rotate({ force: true });
    const jwks = (await enforcer.api('GET', '/.well-known/jwks.json')).body as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(current.kid);
    // The cached entry triggers a background refresh (the JWKS is older than maxAge); then it is gone.
    await eventually(() => expectRefused(verifier, outliving, 'unknown_key'));
  });
});

describe('JWKS cache', () => {
  it('fetches once for an unknown kid, then not again within the cooldown, however many ask', async () => {
    const verifier = verifierOptions({ jwksCache: { cooldown: 30 } });
    await verifier.ready();
    const start = jwksFetches();
    const forged = async () => signWithKey(await attackerKey(), {}, parts(member.token).payload);

    // Just fetched: an unknown kid is refused without fetching again.
    await expectRefused(verifier, await forged(), 'unknown_key');
    expect(jwksFetches()).toBe(start);

    enforcer.clock.advance(31);
    await expectRefused(verifier, await forged(), 'unknown_key');
    expect(jwksFetches()).toBe(start + 1);
    await expectRefused(verifier, await forged(), 'unknown_key');
    expect(jwksFetches()).toBe(start + 1);

    enforcer.clock.advance(31);
    const many = await Promise.all(Array.from({ length: 20 }, forged));
    await Promise.all(many.map((token) => expectRefused(verifier, token, 'unknown_key')));
    expect(jwksFetches()).toBe(start + 2);
    // Known keys never wait for a fetch.
    await expect(verifier.verify((await enforcer.signIn(member.accountId)).token)).resolves.toBeDefined();
    expect(jwksFetches()).toBe(start + 2);
  });

  describe('when the JWKS cannot be fetched', () => {
    // A stand-in for the JWKS host that can go down: forwards to the real route while up.
    let proxy: Server;
    let port = 0;
    const listen = () => new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    beforeAll(async () => {
      proxy = createServer(async (_request, response) => {
        const upstream = await fetch(enforcer.jwksUri);
        response.setHeader('content-type', 'application/json');
        response.end(await upstream.text());
      });
      await listen();
      port = (proxy.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    it('keeps the cached keys for maxAge + maxStale, then fails closed, and recovers', async () => {
      const errors: Error[] = [];
      const verifier = verifierOptions({
        jwksUri: `http://127.0.0.1:${port}/jwks.json`,
        jwksCache: { maxAge: 60, maxStale: 120, cooldown: 5 },
        tokenCache: false,
        onError: (error, source) => {
          if (source === 'jwks') errors.push(error);
        },
      });
      const token = (await enforcer.signIn(member.accountId)).token;
      await expect(verifier.verify(token)).resolves.toBeDefined();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));

      enforcer.clock.advance(61); // stale: the next use refetches in the background, which fails
      await expect(verifier.verify(token)).resolves.toBeDefined();
      await eventually(() => expect(errors.length).toBeGreaterThan(0));
      enforcer.clock.advance(119); // 180 s after the fetch: still within maxAge + maxStale
      await expect(verifier.verify(token)).resolves.toBeDefined();
      enforcer.clock.advance(1);
      await expectRefused(verifier, token, 'keys_unavailable');

      await listen();
      enforcer.clock.advance(5); // past the cooldown the next use fetches again
      await expect(verifier.verify(token)).resolves.toBeDefined();
    });
  });
});
