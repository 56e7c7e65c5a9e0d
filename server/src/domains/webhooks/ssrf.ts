import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { type AppError, webhookUrlRefused } from '@enforcer/core';

/**
 * Server-side request forgery rules for every URL Enforcer calls (webhook endpoints, tenants' SMTP and SMS
 * gateways, applications' `jwks_uri`): in production an endpoint's host must resolve
 * only to public addresses, checked when the endpoint is registered and again before every delivery, and
 * the delivery connects to the address that was checked (no second lookup a DNS rebinding could change).
 */

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (reaches IPv4 addresses, private ones included)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether Enforcer may call this address in production. (BlockList checks IPv4-mapped IPv6 addresses,
 * `::ffff:10.0.0.1`, against the IPv4 rules.)
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (`dns.lookup`, as a connection would). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((r) => ({
    address: r.address,
    family: r.family === 6 ? 6 : 4,
  }));

/** The URL's host without IPv6 brackets. */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The address to connect to for `url`: every address the host resolves to must be public (one private
 * answer among public ones is refused too), else `refuse`'s error (`webhook_url_refused` by default).
 * (`allowed` is the rule; tests that deliver to a receiver on loopback pass a narrower one of their own.)
 */
export async function resolvePublicTarget(
  url: URL,
  resolve: HostResolver,
  allowed: (address: string) => boolean = isPublicAddress,
  refuse: (detail: string) => AppError = webhookUrlRefused,
): Promise<ResolvedAddress> {
  const host = bareHost(url);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw refuse(`the host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw refuse(`the host ${host} does not resolve`);
  const refused = addresses.find((a) => !allowed(a.address));
  if (refused) {
    throw refuse(
      `the host ${host} resolves to ${refused.address}, which is not a public address: Enforcer does not call it`,
    );
  }
  return addresses[0]!;
}
