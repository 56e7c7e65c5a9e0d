/**
 * A coarse, human label for a session's device, from its `User-Agent`: "Chrome on macOS", "Safari on iOS",
 * "Firefox", "curl". Made only of fixed words (never of the header's text), so a hostile header cannot
 * put anything of its own in the label; what is not recognised is "Unknown device". No library: the label
 * is a hint for a person looking at their sessions, not a fingerprint.
 */
export const unknownDevice = 'Unknown device';

/** Only the start of a header is looked at: recognising a browser needs no more. */
const MAX_SCANNED = 512;

/** Browsers and clients, most specific first (Edge and Opera also say "Chrome", Chrome also says "Safari"). */
const browsers: readonly (readonly [RegExp, string])[] = [
  [/\b(?:Edg|Edge|EdgA|EdgiOS)\//, 'Edge'],
  [/\b(?:OPR|OPiOS|Opera)\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bCriOS\//, 'Chrome'],
  [/\bChrom(?:e|ium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bAppleWebKit\/.*\bMobile\//, 'Safari'],
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/^PostmanRuntime\//, 'Postman'],
  [/^(?:node|undici|node-fetch)\b/i, 'Node.js'],
  [/^python-(?:requests|httpx|urllib)/i, 'Python'],
  [/^okhttp\//i, 'OkHttp'],
  [/^Go-http-client\//, 'Go'],
];

/** Operating systems, most specific first (iPhones say "like Mac OS X", Android says "Linux"). */
const systems: readonly (readonly [RegExp, string])[] = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\b(?:Linux|X11|Ubuntu|Fedora)\b/, 'Linux'],
];

const first = (text: string, table: readonly (readonly [RegExp, string])[]): string | undefined =>
  table.find(([pattern]) => pattern.test(text))?.[1];

/** "Browser on OS", the browser or the OS alone when only one is known, or "Unknown device". */
export function deviceLabel(userAgent: string | null | undefined): string {
  if (typeof userAgent !== 'string') return unknownDevice;
  const text = userAgent.slice(0, MAX_SCANNED);
  const browser = first(text, browsers);
  const os = first(text, systems);
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? unknownDevice;
}
