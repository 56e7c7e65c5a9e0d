// Server rendering (#20): principalFromRequest / sessionFromRequest read the access token from the bearer
// header or the cookie the browser SDK mirrors it into, verify it offline and answer the principal or null.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import {
  ACCESS_TOKEN_COOKIE,
  accessTokenFromRequest,
  createVerifier,
  isVerifierError,
  principalFromRequest,
  sessionFromRequest,
} from '@enforcer/node-verifier';
import { beforeAll, describe, expect, it } from 'vitest';
import { startEnforcer } from './support';

const enforcer = await startEnforcer();
let jwks: unknown;
let effective: unknown;
const noNetwork = (async () => {
  throw new Error('no network in this test');
}) as typeof fetch;

beforeAll(async () => {
  jwks = (await enforcer.api('GET', '/.well-known/jwks.json')).body;
  effective = (await enforcer.api('GET', '/policy', { apiKey: enforcer.apiKey })).body.effective;
});

const verifier = () =>
  createVerifier({
    issuer: enforcer.issuer,
    audience: enforcer.audience,
    jwks: jwks as never,
    policy: effective as never,
    tenantId: enforcer.tenantId,
    fetch: noNetwork,
    now: () => enforcer.clock.now().getTime(),
  });

/** A Node request (what Express and Fastify wrap) with these headers. */
function nodeRequest(headers: Record<string, string>): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  for (const [name, value] of Object.entries(headers)) request.headers[name] = value;
  return request;
}

describe('accessTokenFromRequest', () => {
  it('reads the bearer header first, else the cookie, from Fetch and Node requests alike', () => {
    const viaCookie = { cookie: `theme=dark; ${ACCESS_TOKEN_COOKIE}=abc.def.ghi; other=1` };
    expect(accessTokenFromRequest(new Request('https://app.example', { headers: viaCookie }))).toBe(
      'abc.def.ghi',
    );
    expect(accessTokenFromRequest(nodeRequest(viaCookie))).toBe('abc.def.ghi');
    expect(accessTokenFromRequest(new Headers(viaCookie))).toBe('abc.def.ghi');
    expect(accessTokenFromRequest(nodeRequest({ ...viaCookie, authorization: 'Bearer x.y.z' }))).toBe(
      'x.y.z',
    );
    expect(accessTokenFromRequest(nodeRequest({ cookie: 'mine=a.b.c' }), { cookieName: 'mine' })).toBe(
      'a.b.c',
    );
    expect(accessTokenFromRequest(nodeRequest({ cookie: 'theme=dark' }))).toBeNull();
    expect(accessTokenFromRequest(nodeRequest({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeNull();
  });
});

describe('principalFromRequest', () => {
  it('verifies the cookie token offline and answers the principal', async () => {
    const member = await enforcer.addAccount('member');
    const request = new Request('https://app.example/dashboard', {
      headers: { cookie: `${ACCESS_TOKEN_COOKIE}=${encodeURIComponent(member.token)}` },
    });
    const principal = await principalFromRequest(verifier(), request);
    expect(principal).toMatchObject({ accountId: member.accountId, tenantId: enforcer.tenantId });
  });

  it('is null without a token, and for a forged, expired or revoked one (the visitor is signed out)', async () => {
    const v = verifier();
    expect(await principalFromRequest(v, nodeRequest({}))).toBeNull();
    const member = await enforcer.addAccount('member');
    const [head, body] = member.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(86)}`;
    expect(await principalFromRequest(v, nodeRequest({ authorization: `Bearer ${forged}` }))).toBeNull();
    expect(
      await principalFromRequest(v, nodeRequest({ cookie: `${ACCESS_TOKEN_COOKIE}=not-a-jwt` })),
    ).toBeNull();
    enforcer.clock.advance(16 * 60);
    expect(
      await principalFromRequest(v, nodeRequest({ authorization: `Bearer ${member.token}` })),
    ).toBeNull();
  });

  it('throws when the verifier cannot decide at all (no keys): not the same as signed out', async () => {
    const member = await enforcer.addAccount('member');
    const v = createVerifier({
      issuer: enforcer.issuer,
      audience: enforcer.audience,
      jwks: { keys: [] },
      policy: effective as never,
      tenantId: enforcer.tenantId,
      fetch: noNetwork,
      now: () => enforcer.clock.now().getTime(),
    });
    const outcome = await principalFromRequest(
      v,
      nodeRequest({ authorization: `Bearer ${member.token}` }),
    ).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // An empty key set is "no key for this kid" (the caller's token) or "no keys" (the verifier's): either
    // way the answer is never a principal.
    if ('value' in outcome) expect(outcome.value).toBeNull();
    else expect(isVerifierError(outcome.error) && outcome.error.code).toBe('keys_unavailable');
  });
});

describe('sessionFromRequest', () => {
  it("answers plain JSON with the verifier's decisions for the page's actions, and no token", async () => {
    const member = await enforcer.addAccount('member');
    const session = await sessionFromRequest(
      verifier(),
      nodeRequest({ cookie: `${ACCESS_TOKEN_COOKIE}=${member.token}` }),
      { actions: ['tenants.read', 'groups.create'] },
    );
    expect(session).toMatchObject({
      status: 'signed_in',
      accountId: member.accountId,
      roles: ['member'],
      decisions: { 'tenants.read': true, 'groups.create': false },
    });
    expect(JSON.parse(JSON.stringify(session))).toEqual(session);
    expect(JSON.stringify(session)).not.toContain(member.token);
    expect(await sessionFromRequest(verifier(), nodeRequest({}))).toEqual({ status: 'signed_out' });
  });
});
