// Calls to the demo's backend (demo-backend.ts, inside the Vite server): your own server, in a real app.

export interface DemoBank {
  id: string;
  code: string;
  name: string;
}

/** The OpenID Provider the banks accept for "Sign in with …", when the demo was started with one. */
export interface DemoOAuth {
  /** The tenants' name for it: `signInWithOAuth(provider, …)`. */
  provider: string;
  label: string;
  /** This app's page the flow comes back to (on the banks' redirect allow-list). */
  callback_path: string;
}

export interface DemoConfig {
  banks: DemoBank[];
  oauth: DemoOAuth | null;
}

export async function fetchConfig(): Promise<DemoConfig> {
  const response = await fetch('/demo/config');
  const body = (await response.json()) as { tenants?: DemoBank[]; oauth?: DemoOAuth | null; error?: string };
  if (!response.ok || !body.tenants)
    throw new Error(body.error ?? `The demo backend answered ${response.status}`);
  return { banks: body.tenants, oauth: body.oauth ?? null };
}
