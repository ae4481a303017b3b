import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

// Tensor tests run once per backend (the same files, not copies); sampling and packaging tests
// need no backend and run once, and so do tests that pick their backends themselves (the
// property tests compare cpu with wasm; the loader fuzz tests run on cpu; the command line's, in
// packages/cli, choose theirs as the command does).
const tensorTests = [
  'test/mix/**/*.test.ts',
  'test/masks/**/*.test.ts',
  'test/attention/**/*.test.ts',
  'test/models/**/*.test.ts',
  'test/cells/**/*.test.ts',
  'test/kernels/**/*.test.ts',
  'test/hardening/non_finite.test.ts',
  'test/hardening/extractors.test.ts',
  'test/hardening/soak.test.ts',
];
const backendProject = (backend: string) => ({
  extends: true as const,
  test: {
    name: backend,
    include: tensorTests,
    setupFiles: ['test/support/backend.ts'],
    env: { TFJS_BACKEND: backend },
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    reporters: ['default', './test/support/summary_reporter.ts'],
    projects: [
      // The docs' snippets import 'attentive-cutmix' (and 'attentive-cutmix/training') as users do: here they are the source.
      { extends: true, resolve: { alias: [{ find: /^attentive-cutmix$/, replacement: fileURLToPath(new URL('src/index.ts', import.meta.url)) }, { find: /^attentive-cutmix\/training$/, replacement: fileURLToPath(new URL('src/training.ts', import.meta.url)) }] }, test: { name: 'host', include: ['test/docs/**/*.test.ts', 'test/sampling/**/*.test.ts', 'test/package/**/*.test.ts', 'test/conformance/**/*.test.ts', 'test/hardening/properties.test.ts', 'test/hardening/number_edges.test.ts', 'test/hardening/loader_fuzz.test.ts', 'test/hardening/slow_servers.test.ts', 'test/hardening/layers_loader_fuzz.test.ts', 'test/examples/**/*.test.ts', 'test/gradients/**/*.test.ts', 'test/experiment/**/*.test.ts', 'packages/cli/test/**/*.test.ts'] } },
      backendProject('cpu'),
      backendProject('wasm'),
    ],
  },
});
