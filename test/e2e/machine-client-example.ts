// A backend's client for Enforcer's token endpoint, as docs/machine-clients.md shows it: client
// credentials over HTTP Basic, the token kept until shortly before it expires. No dependency but fetch.
export interface ClientCredentials {
  /** e.g. https://auth.example.com/api/v1/enforcer */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated; omit for every scope the application was given. */
  scope?: string;
}

export function enforcerClientToken(credentials: ClientCredentials): () => Promise<string> {
  let cached: { token: string; renewAt: number } | undefined;
  const basic = Buffer.from(
    `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
  ).toString('base64');
  return async () => {
    if (cached && Date.now() < cached.renewAt) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scope) form.set('scope', credentials.scope);
    const response = await fetch(`${credentials.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const body = (await response.json()) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token || !body.expires_in) {
      throw new Error(
        `token request failed: ${body.error ?? response.status} ${body.error_description ?? ''}`,
      );
    }
    // Renew a minute early (or halfway, for very short tokens), so no request carries an expired one.
    const margin = Math.min(60, body.expires_in / 2) * 1000;
    cached = { token: body.access_token, renewAt: Date.now() + body.expires_in * 1000 - margin };
    return cached.token;
  };
}
