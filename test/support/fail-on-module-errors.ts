import type { Reporter, TestModule } from 'vitest/node';

/**
 * vitest 5.1 reports a test file whose `afterAll` hook fails or times out as failed
 * ("Test Files 1 failed") and still exits 0. A run that shows a failure must fail, for
 * developers and for CI alike: this reporter sets the exit code when any module failed.
 */
export default class FailOnModuleErrors implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const failed = testModules.filter((m) => m.state() === 'failed' || m.errors().length > 0);
    if (failed.length > 0) {
      // vitest sets the exit code itself after the reporters run; claim it at exit instead.
      process.exitCode = 1;
      process.once('exit', (code) => {
        if (code === 0) process.exit(1);
      });
      console.error(`\n${failed.length} test file(s) failed: ${failed.map((m) => m.moduleId).join(', ')}`);
    }
  }
}
