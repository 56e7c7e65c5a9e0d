/**
 * The load generator, run as its own process (so it does not share the server's event
 * loop): `node load-runner.ts <json config>`. Prints autocannon's result as JSON.
 *
 * With `chain: 'refresh_token'`, each connection keeps its own refresh-token chain: the
 * body of every request carries the token the previous answer on that connection gave.
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
  /** One starting refresh token per connection. */
  refreshTokens?: string[];
}

const config = JSON.parse(process.argv[2]!) as RunnerConfig;

let nextToken = 0;
const requests = config.refreshTokens
  ? [
      {
        method: config.method,
        setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
          context.token ??= config.refreshTokens![nextToken++ % config.refreshTokens!.length];
          return { ...request, body: JSON.stringify({ refresh_token: context.token }) };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          if (status === 200) context.token = (JSON.parse(body) as { refresh_token: string }).refresh_token;
        },
      },
    ]
  : undefined;

const options = {
  url: config.url,
  method: config.method,
  headers: config.headers,
  ...(config.body ? { body: config.body } : {}),
  connections: config.connections,
  duration: config.durationSeconds,
  ...(config.overallRate ? { overallRate: config.overallRate } : {}),
  ...(requests ? { requests } : {}),
};
// autocannon's types model setupRequest/onResponse loosely; the options are what its docs describe.
const result = await autocannon(options as unknown as autocannon.Options);
process.stdout.write(JSON.stringify(result));
