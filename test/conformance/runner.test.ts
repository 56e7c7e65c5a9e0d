// The runner's own checks, without a target: a check that cannot fail would let every scenario pass.
import { readdirSync, readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadScenarios, Run, type RunningTarget, shardFiles } from './runner';
import type { Data } from './scenario';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const target: RunningTarget = {
  baseUrl: 'http://unused.test',
  clock: { now: () => NOW, advance: () => {} },
  google: { signIdToken: async () => 'unused' },
  stop: async () => {},
};

const run = () => {
  const r = new Run(target);
  Object.assign(r.vars, {
    answer: { status: 200, body: { id: 'a1', items: [{ n: 1 }, { n: 2 }] } },
    code: '123456',
  });
  return r;
};
const token = (amr: string[]) =>
  new SignJWT({ amr }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));
const otpToken = await token(['otp']);
const pwdToken = await token(['pwd']);

const passes = (actual: unknown, expected: Data) => run().check(actual, expected, 'test');

describe('checks pass what they should and fail what they should not', () => {
  const cases: Array<[string, unknown, Data, unknown]> = [
    // name, actual, expectation, an actual it must refuse
    ['equal', 'x', 'x', 'y'],
    ['partial object', { a: 1, b: 2 }, { a: 1 }, { a: 2, b: 2 }],
    ['array, whole', [1, 2], [1, 2], [1, 2, 3]],
    ['placeholder', 'a1', '{{answer.body.id}}', 'a2'],
    ['placeholder in text', 'id=a1', 'id={{answer.body.id}}', 'id=a2'],
    ['index', [{ n: 5 }], { 0: { n: 5 } }, [{ n: 6 }]],
    ['$match', '123456', { $match: '^\\d{6}$' }, '12345'],
    ['$type', 'x', { $type: 'string' }, 1],
    ['$not', 'a', { $not: 'b' }, 'b'],
    ['$absent', undefined, { $absent: true }, null],
    ['$emptyOrAbsent', undefined, { $emptyOrAbsent: true }, [1]],
    ['$length', [1, 2], { $length: 2 }, [1]],
    ['$keys', { b: 1, a: 2 }, { $keys: ['a', 'b'] }, { a: 1 }],
    ['$sameKeys', { id: 1, items: [] }, { $sameKeys: '{{answer.body}}' }, { id: 1 }],
    ['$exactly', { a: 1 }, { $exactly: { a: 1 } }, { a: 1, b: 2 }],
    ['$some', [{ n: 1 }, { n: 2 }], { $some: { n: 2 } }, [{ n: 1 }]],
    ['$none', [{ n: 1 }], { $none: { n: 2 } }, [{ n: 2 }]],
    ['$last', [1, 2], { $last: 2 }, [2, 1]],
    ['$pluck', [{ n: 1 }, { n: 2 }], { $pluck: 'n', is: [1, 2] }, [{ n: 2 }, { n: 1 }]],
    ['$oneOf', 201, { $oneOf: [200, 201] }, 204],
    ['$gt', 5, { $gt: 4 }, 4],
    ['$notContaining', { a: 'public' }, { $notContaining: 'secret' }, { a: 'x-secret' }],
    ['$jwt', otpToken, { $jwt: { amr: ['otp'] } }, pwdToken],
    [
      '$msFromNow',
      new Date(NOW + 300_000).toISOString(),
      { $msFromNow: 300_000 },
      new Date(NOW).toISOString(),
    ],
    [
      '$msFromNow range',
      new Date(NOW + 5).toISOString(),
      { $msFromNow: { min: 0, max: 10 } },
      new Date(NOW + 11).toISOString(),
    ],
    ['$nowDate', new Date(NOW).toISOString(), { $nowDate: true }, new Date(NOW + 1000).toISOString()],
    [
      '$base64urlBytes',
      Buffer.alloc(32).toString('base64url'),
      { $base64urlBytes: 32 },
      Buffer.alloc(16).toString('base64url'),
    ],
    [
      '$base64urlText',
      Buffer.from('p1').toString('base64url'),
      { $base64urlText: 'p1' },
      Buffer.from('p2').toString('base64url'),
    ],
    ['a make inside an expectation', NOW / 1000 + 5, { $nowSeconds: 5 }, NOW / 1000],
  ];
  for (const [name, good, expected, bad] of cases) {
    it(name, async () => {
      await passes(good, expected);
      await expect(passes(bad, expected)).rejects.toThrow();
    });
  }

  it('counts one assertion per leaf, none for the probes of $some and $not', async () => {
    const before = expect.getState().assertionCalls;
    await passes({ a: 1, b: [1, 2], c: [{ n: 1 }, { n: 2 }] }, { a: 1, b: [1, 2], c: { $some: { n: 2 } } });
    // a, b's length and two items, $some's "an array" and its verdict
    expect(expect.getState().assertionCalls - before).toBe(6);
  });
});

describe('values', () => {
  it('makes what scenarios ask for', async () => {
    const r = run();
    const made = (await r.value(
      {
        email: { $email: 'x' },
        other: { $otherCode: '{{code}}' },
        upper: { $upper: 'ab' },
        slice: { $slice: 'abcdef', end: 3 },
        seconds: { $nowSeconds: -1 },
        found: { $find: '{{answer.body.items}}', where: { n: 2 } },
        doc: { $with: { roles: { m: { p: ['a'] } } }, append: { 'roles.m.p': ['b'] }, set: { x: 1 } },
      },
      'test',
    )) as Record<string, unknown>;
    expect(made).toEqual({
      email: expect.stringMatching(/^x-.+@example\.com$/),
      other: '000000',
      upper: 'AB',
      slice: 'abc',
      seconds: NOW / 1000 - 1,
      found: { n: 2 },
      doc: { roles: { m: { p: ['a', 'b'] } }, x: 1 },
    });
  });

  it('refuses an unknown placeholder and a $-key that makes nothing', async () => {
    await expect(run().value('{{nope.x}}', 'test')).rejects.toThrow(/undefined/);
    await expect(run().value({ $emial: 'x' }, 'test')).rejects.toThrow(/makes no value/);
  });
});

// server-target.ts is read, not imported (importing it would load the server into this file).
const PARTS = Number(
  /SERVER_PARTS = (\d+)/.exec(readFileSync(new URL('./server-target.ts', import.meta.url), 'utf8'))?.[1],
);
const scenarioFiles = await loadScenarios();

describe("the real server's parts", () => {
  it('every scenario file runs in exactly one part, the same split in every part', () => {
    const split = shardFiles(scenarioFiles, PARTS);
    expect(split).toHaveLength(PARTS);
    expect(
      split
        .flat()
        .map((f) => f.file)
        .sort(),
    ).toEqual(scenarioFiles.map((f) => f.file).sort());
    for (const part of split) expect(part.length).toBeGreaterThan(0);
    expect(shardFiles(scenarioFiles, PARTS)).toEqual(split);
  });

  it('each part has its test file, and no other part file exists', () => {
    const files = readdirSync(new URL('.', import.meta.url)).filter((f) =>
      /^server(-\d+)?\.test\.ts$/.test(f),
    );
    expect(files.sort()).toEqual(Array.from({ length: PARTS }, (_, i) => `server-${i + 1}.test.ts`));
  });
});
