import { describe, expect, it } from 'vitest';
import { deviceLabel, unknownDevice } from './device.js';

describe('deviceLabel', () => {
  it.each([
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on macOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      'Firefox on Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0 Chrome/120.0 Safari/537.36',
      'Chrome on Linux',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1',
      'Chrome on iOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15',
      'Firefox on iOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
      'Samsung Internet on Android',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0',
      'Opera on Windows',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on ChromeOS',
    ],
    ['curl/8.5.0', 'curl'],
    ['Wget/1.21.4', 'Wget'],
    ['PostmanRuntime/7.42.0', 'Postman'],
    ['node', 'Node.js'],
    ['undici', 'Node.js'],
    ['python-requests/2.32.3', 'Python'],
    ['okhttp/4.12.0', 'OkHttp'],
    ['Go-http-client/1.1', 'Go'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'Windows'],
  ])('%s is %s', (userAgent, label) => {
    expect(deviceLabel(userAgent)).toBe(label);
  });

  it.each([
    ['no header', null],
    ['undefined', undefined],
    ['empty', ''],
    ['whitespace', '   '],
    ['an unknown client', 'MyInternalBot/1.0'],
    ['markup', '<script>alert(1)</script>'],
    ['control characters', '\u0000\u001b[31m\r\n'],
    ['a lone surrogate', '\ud800'],
    ['SQL', "' OR 1=1 --"],
  ])('%s is "Unknown device"', (_, userAgent) => {
    expect(deviceLabel(userAgent)).toBe(unknownDevice);
  });

  it('never copies the header into the label', () => {
    const hostile = 'Mozilla/5.0 (Windows NT 10.0) <img src=x onerror=alert(1)> Firefox/1 Chrome/"><b>';
    expect(deviceLabel(hostile)).toBe('Firefox on Windows');
    expect(deviceLabel('<b>Chrome/1</b> on Android; Android <i>')).toBe('Chrome on Android');
  });

  it('looks at the start of a huge header only, quickly, whatever it repeats', () => {
    expect(deviceLabel(`${'A'.repeat(100_000)} Chrome/1 Windows`)).toBe(unknownDevice);
    expect(deviceLabel(`curl/8 ${'Version/1 '.repeat(50_000)}`)).toBe('curl');
    expect(deviceLabel(`AppleWebKit/1 ${'x '.repeat(100_000)}`)).toBe(unknownDevice);
  });
});
