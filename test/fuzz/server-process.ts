// The server under fuzz: `server/src/main.ts` (what `pnpm start` runs) in a child process, on a test
// database. A child, not `buildApp` in the test's own process, so that a request which makes the
// process exit (an unhandled rejection, a stack overflow) is seen as exactly that: the process is gone.
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RawRequest {
  method: string;
  /** Sent as is (no normalisation, no encoding): `%ff` and 5,000-character segments reach the server. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** Free loopback port: the server's own helper (bind 0, read, close). */
export { findFreePort as freePort } from '@enforcer/server/testing/postgres';

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private output: string[] = [];
  private agent = new Agent({ keepAlive: true, maxSockets: 1 });
  /** How many times the process was started (1 = never restarted). */
  starts = 0;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** True while the child runs (it may still be shutting down). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the server wrote (pino JSON at LOG_LEVEL=error), for crash reports. */
  recentOutput(lines = 20): string[] {
    return this.output.slice(-lines);
  }

  async start(): Promise<void> {
    this.output = [];
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(repoRoot, 'server/src/main.ts')],
      {
        cwd: join(repoRoot, 'server'),
        env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.starts++;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.output.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
        if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`the server exited during start-up:\n${this.recentOutput().join('\n')}`);
      }
      if (await this.alive(1000)) return;
      await sleep(200);
    }
    throw new Error(`the server did not answer /healthz within 60 s:\n${this.recentOutput().join('\n')}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.agent.destroy();
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Waits up to `ms` for the process to exit; true if it did. */
  async exitsWithin(ms: number): Promise<boolean> {
    if (!this.running) return true;
    const timeout = sleep(ms).then(() => 'timeout' as const);
    const result = await Promise.race([this.exited, timeout]);
    return result !== 'timeout';
  }

  /** `GET /healthz` answers 200 within `timeoutMs`. */
  async alive(timeoutMs = 5000): Promise<boolean> {
    if (!this.running) return false;
    try {
      const response = await this.send({ method: 'GET', path: '/healthz' }, timeoutMs);
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** One HTTP/1.1 request with exactly these bytes; rejects on a connection error or after `timeoutMs`. */
  send(req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = req.body.length;
      const outgoing = httpRequest(
        {
          host: '127.0.0.1',
          port: this.port,
          method: req.method,
          path: req.path,
          headers,
          agent: this.agent,
          // Node's client refuses some bytes in paths; the server must cope with what it lets through.
          insecureHTTPParser: true,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.end(req.body);
    });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
