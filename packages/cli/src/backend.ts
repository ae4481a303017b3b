// Choosing a TensorFlow.js backend at run time for the command line and the demo. The backends are
// optional peer dependencies: whichever is installed is imported, wasm first.
import * as tf from '@tensorflow/tfjs-core';

import { CliError, errorMessage, isMissingPackage } from './errors.js';

/** The backends the command line can run on, in order of preference. */
export const BACKENDS = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The npm package of each backend. */
export const BACKEND_PACKAGES: Record<BackendName, string> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** Imports a backend package (which registers the backend with tfjs-core). Replaceable in tests. */
export type BackendImporter = (name: BackendName) => Promise<unknown>;

const importBackend: BackendImporter = (name) =>
  name === 'wasm' ? import('@tensorflow/tfjs-backend-wasm') : import('@tensorflow/tfjs-backend-cpu');

/**
 * Imports and selects a backend: `wanted`, or else the first of wasm and cpu that is installed and
 * starts. Returns its name. Fails with a message naming the packages to install when none is.
 */
export async function loadBackend(wanted?: BackendName, importer: BackendImporter = importBackend): Promise<BackendName> {
  tf.env().set('PROD', true); // no "running in Node without tfjs-node" banner
  const candidates = wanted ? [wanted] : [...BACKENDS];
  const problems: string[] = [];
  for (const name of candidates) {
    const pkg = BACKEND_PACKAGES[name];
    try {
      await importer(name);
    } catch (e) {
      if (!isMissingPackage(e, pkg)) throw new CliError(`the backend package ${pkg} is installed but could not be loaded: ${errorMessage(e)}`);
      problems.push(`${pkg} is not installed`);
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      problems.push(`the ${name} backend did not start`);
    } catch (e) {
      problems.push(`the ${name} backend did not start: ${errorMessage(e)}`);
    }
  }
  const version = tf.version_core; // a backend must match tfjs-core's version
  throw new CliError(
    `no TensorFlow.js backend could be used: ${problems.join('; ')}. Install ${candidates.length > 1 ? 'one of them' : 'it'} next to attentive-cutmix-cli:\n` +
      candidates.map((name) => `  npm install ${BACKEND_PACKAGES[name]}@${version}`).join('\n'),
  );
}
