// The order `pnpm test` starts its files in: longest first. With two workers the run takes about as long
// as the busier worker's chain of files, so a long file started near the end makes the other worker wait
// for it (a 40 s file started last adds up to 40 s). Longest first leaves the short files to fill the
// gaps at the end.
//
// vitest's own sequencer runs the isolated project before the shared one and, within a project, the files
// it has timed before longest first and the others largest first. Its timings live in
// node_modules/.vite/vitest, so a fresh clone (CI) has none: there the conformance suite's parts (a few
// lines each) ran last. This one runs the shared project first (the long files are there) and takes a
// file's duration from, in turn: vitest's timing of its last run, the figures below, its size.
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds, from a whole-suite run on the busy 2-core machine (2026-12-07, after the changes of
 * docs/testing.md#what-keeps-the-run-short); only their order matters. A file missing here is placed by
 * vitest's timing or its size; a figure that is off only moves a file.
 */
const KNOWN_SECONDS: Readonly<Record<string, number>> = {
  'test/e2e/outbox-kill.test.ts': 44,
  'test/e2e/messaging.test.ts': 8,
  'test/e2e/db-resilience.test.ts': 37,
  'test/policy/consistency.test.ts': 33,
  'test/fuzz/contract-fuzz.test.ts': 22,
  'test/conformance/mock.test.ts': 19,
  'test/stores/postgres.test.ts': 15,
  'test/e2e/webhooks.test.ts': 12,
  'test/e2e/privacy-erasure-methods.test.ts': 10,
  'test/typed-actions/typed-actions.test.ts': 9,
  'test/conformance/server-1.test.ts': 9,
  'test/conformance/server-2.test.ts': 9,
  'test/conformance/server-3.test.ts': 9,
  'test/e2e/privacy-erasure.test.ts': 9,
  'test/e2e/auth-passkey.test.ts': 6,
  'test/e2e/auth-password.test.ts': 6,
  'test/e2e/auth-throttle.test.ts': 5,
};

/** Projects in this order (vitest.config.ts); one project's files stay together so its workers are reused. */
const PROJECT_ORDER = ['shared', 'isolated'];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const key = new Map(
      files.map((spec) => {
        const cached = this.ctx.cache.getTestSpecificationResult(spec);
        const known = KNOWN_SECONDS[relative(root, spec.moduleId).split('\\').join('/')];
        const estimate = cached?.duration ?? (known === undefined ? undefined : known * 1000);
        return [spec, { failed: cached?.failed === true, estimate, size: sizeOf(spec.moduleId) }] as const;
      }),
    );
    const projectRank = (spec: TestSpecification) => {
      const rank = PROJECT_ORDER.indexOf(spec.project.name);
      return rank === -1 ? PROJECT_ORDER.length : rank;
    };
    return [...files].sort((a, b) => {
      const byGroup = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (byGroup !== 0) return byGroup;
      const byProject = projectRank(a) - projectRank(b);
      if (byProject !== 0) return byProject;
      if (a.project.name !== b.project.name) return a.project.name < b.project.name ? -1 : 1;
      const ka = key.get(a)!;
      const kb = key.get(b)!;
      // Failed last time: first, as vitest does (a quick answer while fixing).
      if (ka.failed !== kb.failed) return ka.failed ? -1 : 1;
      // Files with an estimate before files without (their size says little), longest first.
      if ((ka.estimate === undefined) !== (kb.estimate === undefined))
        return ka.estimate === undefined ? 1 : -1;
      if (ka.estimate !== undefined && kb.estimate !== undefined && ka.estimate !== kb.estimate)
        return kb.estimate - ka.estimate;
      return kb.size - ka.size;
    });
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
