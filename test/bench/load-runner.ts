/**
 * The load generator, run as its own process (so it does not share the server's event
 * loop): `node load-runner.ts <json config>`. Prints autocannon's result as JSON.
 *
 * With `refreshTokens`, each connection keeps its own refresh-token chain: the body of
 * every request carries the token the previous answer on that connection gave. The chain
 * lives in a closure per connection (set up in `setupClient`), not in autocannon's
 * `context`: autocannon resets the context each time it loops over `requests`, which with
 * one request is after every request, so a chain kept there falls back to its starting
 * token and every later request replays an already rotated one.
 */
import autocannon from 'autocannon';

interface RunnerConfig {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; absent = as fast as possible. */
  overallRate?: number;
  /** Every answer must have exactly this body (autocannon counts the others as mismatches). */
  expectBody?: string;
  /**
   * Every answer must be JSON equal to this (compared as `JSON.stringify` of the parsed body) once
   * the top-level keys in `ignoreKeys` are dropped: for answers that carry a per-request id, such as
   * Cerbos's `cerbosCallId`. Answers that are not JSON are mismatches.
   */
  expectJson?: unknown;
  ignoreKeys?: string[];
  /** One starting refresh token per connection. */
  refreshTokens?: string[];
  /** One body per connection, sent again and again by that connection (a sign-in per person). */
  connectionBodies?: string[];
}

/** The part of autocannon's client the chain needs (its types do not describe it). */
interface Client {
  setRequests(requests: unknown[]): void;
}

const config = JSON.parse(process.argv[2]!) as RunnerConfig;
const starts = config.refreshTokens;
if (starts && starts.length < config.connections) throw new Error('one refresh token per connection');

const ignored = config.ignoreKeys ?? [];
const expectedJson = config.expectJson === undefined ? undefined : JSON.stringify(config.expectJson);
const verifyBody =
  expectedJson === undefined
    ? undefined
    : (body: string) => {
        try {
          const value = JSON.parse(body) as Record<string, unknown>;
          for (const key of ignored) delete value[key];
          return JSON.stringify(value) === expectedJson;
        } catch {
          return false;
        }
      };

const connectionBodies = config.connectionBodies;
if (connectionBodies && connectionBodies.length < config.connections)
  throw new Error('one body per connection');
let nextConnection = 0;
let nextChain = 0;
const setupClient = connectionBodies
  ? (client: Client) => {
      const body = connectionBodies[nextConnection++]!;
      client.setRequests([{ method: config.method, body }]);
    }
  : starts
    ? (client: Client) => {
        let token = starts[nextChain++]!;
        client.setRequests([
          {
            method: config.method,
            setupRequest: (request: Record<string, unknown>) => ({
              ...request,
              body: JSON.stringify({ refresh_token: token }),
            }),
            onResponse: (status: number, body: string) => {
              if (status === 200) token = (JSON.parse(body) as { refresh_token: string }).refresh_token;
            },
          },
        ]);
      }
    : undefined;

const options = {
  url: config.url,
  method: config.method,
  headers: config.headers,
  ...(config.body ? { body: config.body } : {}),
  ...(config.expectBody ? { expectBody: config.expectBody } : {}),
  ...(verifyBody ? { verifyBody } : {}),
  connections: config.connections,
  duration: config.durationSeconds,
  ...(config.overallRate ? { overallRate: config.overallRate } : {}),
  ...(setupClient ? { setupClient } : {}),
};
// autocannon's types model setupClient/setupRequest/onResponse loosely; the options are what its docs describe.
const result = await autocannon(options as unknown as autocannon.Options);
process.stdout.write(JSON.stringify(result));
