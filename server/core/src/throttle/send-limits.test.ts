import { describe, expect, it } from 'vitest';
import { clientSendKey } from './send-limits.js';

describe('clientSendKey', () => {
  it('keeps IPv4 addresses (and IPv4-mapped IPv6) as they are', () => {
    expect(clientSendKey('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(clientSendKey('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('groups IPv6 addresses by their /64, whatever the spelling', () => {
    const key = 'ip6:2001:db8:1:2::/64';
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:9',
      '2001:db8:1:2:a::b',
    ]) {
      expect(clientSendKey(ip), ip).toBe(key);
    }
    expect(clientSendKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientSendKey('::1')).toBe('ip6:0:0:0:0::/64');
    expect(clientSendKey('2001:db8::')).toBe('ip6:2001:db8:0:0::/64');
  });
});
