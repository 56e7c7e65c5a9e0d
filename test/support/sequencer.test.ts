import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { LongestFirstSequencer } from './sequencer';

const root = fileURLToPath(new URL('../..', import.meta.url));

function spec(path: string, project: 'shared' | 'isolated'): TestSpecification {
  return {
    moduleId: `${root}${path}`,
    project: { name: project, config: { sequence: { groupOrder: 0 } } },
  } as unknown as TestSpecification;
}

function sequencer(timings: Record<string, { duration: number; failed?: boolean }> = {}) {
  const ctx = {
    config: { root },
    cache: {
      getTestSpecificationResult: (s: TestSpecification) =>
        timings[s.moduleId.slice(root.length)] ?? undefined,
    },
  } as unknown as Vitest;
  return new LongestFirstSequencer(ctx);
}

const names = (specs: TestSpecification[]) =>
  specs.map((s) => `${s.project.name} ${s.moduleId.slice(root.length)}`);

describe('the test sequencer', () => {
  const files = [
    spec('test/conformance/mock.test.ts', 'isolated'),
    spec('test/support/postgres.test.ts', 'shared'),
    spec('test/conformance/server-2.test.ts', 'shared'),
    spec('test/e2e/db-resilience.test.ts', 'shared'),
    spec('vitest.config.ts', 'shared'), // not listed, no timing: after those with an estimate, by size
    spec('test/e2e/auth-throttle.test.ts', 'shared'),
  ];

  it('without vitest timings (a fresh clone): the shared project first, the known long files first', async () => {
    expect(names(await sequencer().sort(files))).toEqual([
      'shared test/e2e/db-resilience.test.ts',
      'shared test/conformance/server-2.test.ts',
      'shared test/e2e/auth-throttle.test.ts',
      'shared vitest.config.ts', // larger than postgres.test.ts
      'shared test/support/postgres.test.ts',
      'isolated test/conformance/mock.test.ts',
    ]);
  });

  it("vitest's own timings win, and a file that failed last time goes first", async () => {
    const sorted = await sequencer({
      'test/support/postgres.test.ts': { duration: 500_000 },
      'test/conformance/server-2.test.ts': { duration: 10, failed: true },
    }).sort(files);
    expect(names(sorted).slice(0, 3)).toEqual([
      'shared test/conformance/server-2.test.ts',
      'shared test/support/postgres.test.ts',
      'shared test/e2e/db-resilience.test.ts',
    ]);
  });
});
