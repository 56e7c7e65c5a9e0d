/**
 * The load generator of sign-in with an email code, run as its own process (as load-runner.ts is) and
 * started with an IPC channel: `node code-signin-runner.ts <json config>`; prints its result as JSON.
 *
 * Each virtual client has one keep-alive connection and one person, and runs its own chain, one after the
 * other: `POST /auth/otp/request` → the code, read from the mail (the bench process sends every mail the
 * server's delivery worker delivers over the IPC channel, as it is delivered) → `POST /auth/login` with it →
 * 200 with an access and a refresh token. A chain is timed from its first request to the answer of the
 * second, mail delivery included. autocannon cannot run such a chain (a request cannot wait for something
 * that is not in the previous answer), hence this runner.
 *
 * New chains start until the run's time is up; the ones under way then finish, so every code requested is
 * used and the database can be checked exactly (one session per sign-in). Anything but a 200 with the
 * expected body, a mail not delivered within the timeout, or a mailed code other than the one the answer
 * carries (a development server exposes it) fails the chain, and the bench fails the run.
 */
import { Agent, request } from 'node:http';

interface RunnerConfig {
  /** The API base, `http://127.0.0.1:<port>/api/v1/enforcer`. */
  baseUrl: string;
  tenantCode: string;
  /** One person (email) per virtual client. */
  emails: string[];
  durationSeconds: number;
  /** Sign-ins (chains) per second over all clients; absent = as fast as possible. */
  overallRate?: number;
  /** How long a request or a mail may take before the chain fails (ms). */
  timeoutMs?: number;
}

/** What the run did; latencies in ms. */
export interface ChainRunResult {
  /** Chains finished with a 200 from `/auth/login` and the tokens. */
  signIns: number;
  /** Chains that failed, by reason (`request 429`, `login 401`, `no mail`, ...), with one example body each. */
  failures: Record<string, { count: number; example: string }>;
  /** From the first chain's start to the last chain's end. */
  seconds: number;
  rate: number;
  latency: Latencies;
  /** Each step alone: the code request's answer, the wait for the mail after it, the login's answer. */
  steps: { request: Latencies; mail: Latencies; login: Latencies };
}

export interface Latencies {
  p50: number;
  p99: number;
  max: number;
}

/** A mail as the bench process forwards it. */
interface ForwardedMail {
  to: string;
  text: string;
}

const config = JSON.parse(process.argv[2]!) as RunnerConfig;
const timeoutMs = config.timeoutMs ?? 10_000;
const base = new URL(config.baseUrl);
const CODE = /^\s+(\d{6})\s*$/m;

// Codes by address, as they are delivered; a chain waiting for one is woken by its mail.
const mailbox = new Map<string, string[]>();
const waiting = new Map<string, (code: string) => void>();
process.on('message', (mail: ForwardedMail) => {
  const code = CODE.exec(mail.text)?.[1] ?? `no code in: ${mail.text.slice(0, 80)}`;
  const waiter = waiting.get(mail.to);
  if (waiter) {
    waiting.delete(mail.to);
    waiter(code);
    return;
  }
  const queued = mailbox.get(mail.to) ?? [];
  queued.push(code);
  mailbox.set(mail.to, queued);
});

function nextCode(to: string): Promise<string> {
  const queued = mailbox.get(to);
  if (queued && queued.length > 0) return Promise.resolve(queued.shift()!);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(to);
      reject(new ChainFailure('no mail', `no mail to ${to} within ${timeoutMs} ms`));
    }, timeoutMs);
    waiting.set(to, (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

class ChainFailure extends Error {
  constructor(
    readonly reason: string,
    readonly example: string,
  ) {
    super(`${reason}: ${example}`);
  }
}

function post(agent: Agent, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: `${base.pathname}${path}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new ChainFailure('timeout', `${path}: no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

const chainTimes: number[] = [];
const stepTimes = { request: [] as number[], mail: [] as number[], login: [] as number[] };
const failures: ChainRunResult['failures'] = {};
let signIns = 0;

async function chain(agent: Agent, email: string): Promise<void> {
  const t0 = performance.now();
  const asked = await post(
    agent,
    '/auth/otp/request',
    JSON.stringify({ email, tenant_code: config.tenantCode }),
  );
  const t1 = performance.now();
  if (asked.status !== 200) throw new ChainFailure(`request ${asked.status}`, asked.body);
  const exposed = (JSON.parse(asked.body) as { code?: string }).code;
  const code = await nextCode(email);
  const t2 = performance.now();
  // A development server also puts the code in the answer: the mailed one must be the same code.
  if (exposed !== undefined && exposed !== code)
    throw new ChainFailure('mailed code differs', `answer ${exposed}, mail ${code}`);
  const login = await post(
    agent,
    '/auth/login',
    JSON.stringify({ provider: 'email_otp', email, otp: code, tenant_code: config.tenantCode }),
  );
  const t3 = performance.now();
  if (login.status !== 200) throw new ChainFailure(`login ${login.status}`, login.body);
  const tokens = JSON.parse(login.body) as { token?: unknown; refresh_token?: unknown };
  if (typeof tokens.token !== 'string' || typeof tokens.refresh_token !== 'string')
    throw new ChainFailure('login without tokens', login.body);
  signIns++;
  chainTimes.push(t3 - t0);
  stepTimes.request.push(t1 - t0);
  stepTimes.mail.push(t2 - t1);
  stepTimes.login.push(t3 - t2);
}

const clients = config.emails.length;
const start = performance.now();
const deadline = start + config.durationSeconds * 1000;
// At a set rate, client i starts its chains every `clients / rate` seconds, offset so the starts interleave;
// a chain that ends late starts the next at once (no burst to catch up).
const interval = config.overallRate ? (clients * 1000) / config.overallRate : 0;
let end = start;

await Promise.all(
  config.emails.map(async (email, i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let next = start + (interval * i) / clients;
    try {
      while (next < deadline) {
        const now = performance.now();
        if (next > now) await new Promise((resolve) => setTimeout(resolve, next - now));
        next = Math.max(next + interval, performance.now());
        try {
          await chain(agent, email);
        } catch (error) {
          const reason = error instanceof ChainFailure ? error.reason : 'error';
          const example = error instanceof ChainFailure ? error.example : String(error);
          failures[reason] ??= { count: 0, example };
          failures[reason].count++;
          // A failed chain may leave its code unused (or its mail late): this client stops.
          return;
        }
      }
    } finally {
      end = Math.max(end, performance.now());
      agent.destroy();
    }
  }),
);

const latencies = (xs: number[]): Latencies => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (x: number) => Math.round(x * 10) / 10;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
};
const seconds = (end - start) / 1000;
const result: ChainRunResult = {
  signIns,
  failures,
  seconds,
  rate: signIns / seconds,
  latency: latencies(chainTimes),
  steps: {
    request: latencies(stepTimes.request),
    mail: latencies(stepTimes.mail),
    login: latencies(stepTimes.login),
  },
};
process.stdout.write(JSON.stringify(result));
process.disconnect?.();
