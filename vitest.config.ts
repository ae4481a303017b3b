import { defineConfig } from 'vitest/config';

// Tensor tests run once per backend (the same files, not copies); sampling and packaging tests
// need no backend and run once.
const tensorTests = ['test/mix/**/*.test.ts', 'test/masks/**/*.test.ts', 'test/attention/**/*.test.ts'];
const backendProject = (backend: string) => ({
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
    projects: [
      { test: { name: 'host', include: ['test/sampling/**/*.test.ts', 'test/package/**/*.test.ts', 'test/conformance/**/*.test.ts'] } },
      backendProject('cpu'),
      backendProject('wasm'),
    ],
  },
});
