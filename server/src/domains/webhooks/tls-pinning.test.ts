// #16: a delivery connects to the address its delivery-time SSRF check approved (a pinned lookup, no
// second DNS answer a rebinding could change), while TLS still verifies the certificate against the
// endpoint's host name (sent as SNI). Proven with the real worker over a real PostgreSQL, in production
// mode, against HTTPS receivers on loopback holding certificates for made-up host names under a CA made
// here (trusted through the worker's test-only `ca`; Node's roots are never widened, verification never
// off). No traffic leaves loopback: the worker's resolver is a stub, and so is the process's own
// `dns.lookup`, which answers what a connect-time lookup would get after the rebinding.
//
// vitest-isolate: this file replaces `dns.lookup` of its process while it runs.
import { KeyObject, type webcrypto } from 'node:crypto';
import dns from 'node:dns';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
// @peculiar/x509 (certificates made here, with WebCrypto) needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDelivery } from '../../entities/webhooks.js';
import { ManualClock } from '../../lib/clock.js';
import { cryptoRandom } from '../../lib/random.js';
import { createTestOrm, testConfig } from '../../testing/index.js';
import { endpointWithDeliveries } from '../../testing/webhook-worker-fixtures.js';
import { webhookSealer } from './routes.js';
import { webhookSignature } from './send.js';
import type { HostResolver } from './ssrf.js';
import { WebhookWorker } from './worker.js';

const HOST = 'hooks.acme-pay.test';
const OTHER_HOST = 'other.acme-pay.test';
/** In these tests 127.0.0.1 plays a public address and 127.0.0.2 the private network behind Enforcer. */
const CHECKED = '127.0.0.1';
const INTERNAL = '127.0.0.2';

interface Issued {
  key: string;
  cert: string;
}

const ec = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
const pem = (key: CryptoKey) =>
  KeyObject.from(key as webcrypto.CryptoKey)
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();

/** A CA, and certificates it issues for a DNS name. */
async function makeCa() {
  const keys = await crypto.subtle.generateKey(ec, true, ['sign', 'verify']);
  const name = 'CN=Enforcer test CA';
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: signing,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    cert: ca.toString('pem'),
    async issue(dnsName: string): Promise<Issued> {
      const leafKeys = await crypto.subtle.generateKey(ec, true, ['sign', 'verify']);
      const leaf = await x509.X509CertificateGenerator.create({
        subject: `CN=${dnsName}`,
        issuer: name,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: signing,
        notBefore: new Date(Date.now() - 3600_000),
        notAfter: new Date(Date.now() + 86_400_000),
        extensions: [
          new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dnsName }]),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ],
      });
      return { key: pem(leafKeys.privateKey), cert: leaf.toString('pem') };
    },
  };
}

interface Receiver {
  server: Server;
  /** The SNI names of TLS handshakes started (null: none sent). */
  sni: (string | null)[];
  /** TCP connections accepted. */
  connections: number;
  requests: { host: string | undefined; headers: Record<string, unknown>; body: string }[];
}

/** An HTTPS receiver on `address`:`port` (0: any) presenting `issued`, recording everything, answering 200. */
async function startReceiver(address: string, port: number, issued: Issued): Promise<Receiver> {
  const context = createSecureContext(issued);
  const receiver: Receiver = { server: undefined as never, sni: [], connections: 0, requests: [] };
  const server = createServer(
    {
      ...issued,
      SNICallback: (servername, callback) => {
        receiver.sni.push(servername || null);
        callback(null, context);
      },
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.requests.push({
          host: req.headers.host,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    },
  );
  server.on('connection', () => {
    receiver.connections += 1;
  });
  // A handshake without SNI never reaches SNICallback: record it too.
  server.on('secureConnection', (socket: TLSSocket) => {
    if (!(socket as TLSSocket & { servername?: string | false }).servername) receiver.sni.push(null);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  receiver.server = server;
  return receiver;
}

const stop = (r: Receiver) =>
  new Promise<void>((resolve) => {
    r.server.close(() => resolve());
    r.server.closeAllConnections();
  });

/**
 * The DNS of these tests, as a rebinding attacker runs it: `HOST` answers `CHECKED` until `rebind()`,
 * then `INTERNAL`. The worker's resolver and the process's `dns.lookup` (what a connection would use if it
 * looked the name up again) both answer from it; both record what they were asked.
 */
const rebinding = {
  answer: CHECKED,
  checks: [] as string[],
  connectLookups: [] as string[],
  rebindAfterCheck: false,
};
const workerResolver: HostResolver = async (hostname) => {
  rebinding.checks.push(hostname);
  if (hostname !== HOST) throw new Error(`ENOTFOUND ${hostname}`);
  const address = rebinding.answer;
  // The answer changes right after the check, before the connection.
  if (rebinding.rebindAfterCheck) rebinding.answer = INTERNAL;
  return [{ address, family: 4 }];
};

const realLookup = dns.lookup;
type LookupCallback = (error: Error | null, address: unknown, family?: number) => void;
function stubLookup(hostname: string, options: unknown, callback?: LookupCallback): void {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
  const opts = (typeof options === 'object' && options ? options : {}) as { all?: boolean };
  if (hostname === HOST || hostname === OTHER_HOST) {
    rebinding.connectLookups.push(hostname);
    const address = rebinding.answer;
    process.nextTick(() => (opts.all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4)));
  } else if (hostname === 'localhost' || /^[\d.]+$|:/.test(hostname)) {
    // Loopback literals (listen, the test database): the real lookup, which needs no DNS for them.
    (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
  } else {
    // Any other name: never asked of a real DNS server.
    const error = Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    process.nextTick(() => cb(error, null));
  }
}

const db = await createTestOrm();
const config = testConfig();
const sealer = webhookSealer(config, cryptoRandom);
const ca = await makeCa();
const forHost = await ca.issue(HOST);
const forOtherHost = await ca.issue(OTHER_HOST);
const started: Receiver[] = [];

beforeAll(() => {
  (dns as { lookup: unknown }).lookup = stubLookup;
});
afterAll(async () => {
  (dns as { lookup: unknown }).lookup = realLookup;
  await Promise.all(started.map(stop));
  await db.close();
});

/**
 * A receiver for `HOST` on the checked address and, on the same port of the internal one, another that
 * holds a certificate just as valid for `HOST`: a connection redirected there would succeed, so only
 * pinning keeps deliveries away from it. Each scenario gets its own port (no kept-alive connection of
 * another scenario can be reused).
 */
async function receivers(presented: Issued = forHost) {
  const good = await startReceiver(CHECKED, 0, presented);
  const port = (good.server.address() as AddressInfo).port;
  const internal = await startReceiver(INTERNAL, port, forHost);
  started.push(good, internal);
  return { good, internal, url: `https://${HOST}:${port}/hook` };
}

function worker(options: { ca?: string[] } = { ca: [ca.cert] }) {
  return new WebhookWorker({
    orm: db.orm,
    clock: new ManualClock(),
    random: cryptoRandom,
    sealer,
    config: { ...config.webhooks, worker: true, retryBaseMs: 1, maxAttempts: 1, timeoutMs: 5000 },
    production: true,
    resolve: workerResolver,
    addressAllowed: (address) => address === CHECKED,
    ...(options.ca ? { ca: options.ca } : {}),
  });
}

async function deliveryOf(endpointId: string) {
  const [delivery] = await db.orm.em.fork().find(WebhookDelivery, { endpoint: endpointId });
  return delivery!;
}

function reset(answer: string, rebindAfterCheck: boolean) {
  rebinding.answer = answer;
  rebinding.rebindAfterCheck = rebindAfterCheck;
  rebinding.checks.length = 0;
  rebinding.connectLookups.length = 0;
}

describe('delivering over TLS to the checked address', () => {
  it('delivers to the address checked, with SNI and the certificate verified for the URL host name', async () => {
    reset(CHECKED, false);
    const { good, internal, url } = await receivers();
    const { endpointId, secret } = await endpointWithDeliveries(db.orm, sealer, url, 1, new ManualClock());
    expect(await worker().runOnce()).toBe(1);

    const delivery = await deliveryOf(endpointId);
    expect(delivery).toMatchObject({ status: 'delivered', responseStatus: 200, responseBody: 'ok' });
    expect(good.requests).toHaveLength(1);
    const [got] = good.requests;
    expect(got!.host).toBe(`${HOST}:${new URL(url).port}`);
    expect(good.sni).toEqual([HOST]);
    const id = String(got!.headers['webhook-id']);
    const timestamp = Number(got!.headers['webhook-timestamp']);
    expect(got!.headers['webhook-signature']).toBe(webhookSignature([secret], id, timestamp, got!.body));
    // Checked once, at delivery time; the connection looked nothing up.
    expect(rebinding.checks).toEqual([HOST]);
    expect(rebinding.connectLookups).toEqual([]);
    expect(internal.connections).toBe(0);
  });

  it('DNS rebinding: the answer changes between the check and the connection; the connection still goes to the checked address', async () => {
    reset(CHECKED, true);
    const { good, internal, url } = await receivers();
    const { endpointId } = await endpointWithDeliveries(db.orm, sealer, url, 1, new ManualClock());
    expect(await worker().runOnce()).toBe(1);

    expect(rebinding.checks).toEqual([HOST]);
    // Anything looking the name up now gets the internal address...
    expect(rebinding.answer).toBe(INTERNAL);
    // ...but the delivery went to the address checked, and nothing reached the internal one.
    expect(await deliveryOf(endpointId)).toMatchObject({ status: 'delivered', responseStatus: 200 });
    expect(good.requests).toHaveLength(1);
    expect(rebinding.connectLookups).toEqual([]);
    expect(internal.connections).toBe(0);
    expect(internal.requests).toEqual([]);
  });

  it('an answer that is internal at delivery time is refused: no connection at all', async () => {
    reset(INTERNAL, false);
    const { good, internal, url } = await receivers();
    const { endpointId } = await endpointWithDeliveries(db.orm, sealer, url, 1, new ManualClock());
    expect(await worker().runOnce()).toBe(1);
    const delivery = await deliveryOf(endpointId);
    expect(delivery).toMatchObject({ status: 'failed', responseStatus: null });
    expect(delivery.responseBody).toContain(`resolves to ${INTERNAL}, which is not a public address`);
    expect(good.connections + internal.connections).toBe(0);
    expect(rebinding.connectLookups).toEqual([]);
  });

  it('fails on a certificate for another host name (hostname verification is on, even for the pinned address)', async () => {
    reset(CHECKED, false);
    // Issued by the trusted CA, valid in every way but its name.
    const { good, internal, url } = await receivers(forOtherHost);
    const { endpointId } = await endpointWithDeliveries(db.orm, sealer, url, 1, new ManualClock());
    expect(await worker().runOnce()).toBe(1);
    const delivery = await deliveryOf(endpointId);
    expect(delivery).toMatchObject({ status: 'failed', responseStatus: null });
    expect(delivery.responseBody).toMatch(/does not match certificate's altnames.*acme-pay\.test/i);
    // The handshake reached the checked address and named the URL's host; no request was sent.
    expect(good.sni).toEqual([HOST]);
    expect(good.requests).toEqual([]);
    expect(internal.connections).toBe(0);
  });

  it("fails on a certificate from a CA the sender does not trust (Node's roots only, without the test CA)", async () => {
    reset(CHECKED, false);
    const { good, url } = await receivers();
    const { endpointId } = await endpointWithDeliveries(db.orm, sealer, url, 1, new ManualClock());
    expect(await worker({}).runOnce()).toBe(1);
    const delivery = await deliveryOf(endpointId);
    expect(delivery).toMatchObject({ status: 'failed', responseStatus: null });
    expect(delivery.responseBody).toMatch(/certificate/i);
    expect(good.requests).toEqual([]);
  });
});
