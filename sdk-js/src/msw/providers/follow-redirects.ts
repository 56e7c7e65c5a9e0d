import { FORM_POST_HEADER as FORM_POST } from './shared';

const unescapeHtml = (value: string) =>
  value.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));

/** The action and fields of a stand-in's form-post page (`formPost`). */
function readFormPost(html: string): { action: string; fields: URLSearchParams } {
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
  if (action === undefined) throw new Error('[enforcer mock] the form-post page has no form');
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.set(unescapeHtml(name!), unescapeHtml(value!));
  }
  return { action: unescapeHtml(action), fields };
}

/**
 * Follows a social sign-in from the provider's authorization URL as a browser would, over `fetch` (so MSW
 * answers): the stand-in's page (which approves at once), its redirect or its form post (Apple), and
 * Enforcer's callback; answers the first URL outside `served` origins, the app's redirect URL with `?code=`
 * or `?error=`. A page that answers anything else throws.
 */
export async function followOAuthRedirects(authorizationUrl: string, served: Set<string>): Promise<string> {
  let at = authorizationUrl;
  let post: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop++) {
    if (!served.has(new URL(at).origin)) return at;
    const response = await fetch(at, {
      redirect: 'manual',
      ...(post && {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: post.toString(),
      }),
    });
    post = undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      at = new URL(location, at).href;
      continue;
    }
    if (response.status === 200 && response.headers.get(FORM_POST)) {
      const form = readFormPost(await response.text());
      at = new URL(form.action, at).href;
      post = form.fields;
      if (!served.has(new URL(at).origin)) {
        throw new Error(`[enforcer mock] a form post to ${at}, outside the mock, is for a browser to send`);
      }
      continue;
    }
    throw new Error(`[enforcer mock] ${at} answered ${response.status}: ${await response.text()}`);
  }
  throw new Error('[enforcer mock] too many redirects in the social sign-in flow');
}
