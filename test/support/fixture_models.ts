// The models of test/fixtures/models (written by scripts/make-fixture-models.mjs), for the tests of
// model loading (test/models) and of the extractors over them (test/attention).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';

import { serveFolder } from './serve.js';

/** The folder of the fixture models, one folder each. */
export const FIXTURE_MODELS = resolve(import.meta.dirname, '../fixtures/models');

/** The path of a fixture's model.json. */
export const fixturePath = (name: string): string => join(FIXTURE_MODELS, name, 'model.json');

/** A fixture's model.json, parsed, for a test to change. */
export type FixtureModelJson = { format?: string; modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] } & Record<string, unknown>;

export const fixtureJson = (name: string): FixtureModelJson => JSON.parse(readFileSync(fixturePath(name), 'utf8'));

/**
 * A fixture's artifacts as its files hold them (every fixture has one weight file), for an
 * IOHandler, `loadGraphModelSync` or tfjs-layers; `json` stands in for its model.json.
 */
export function fixtureArtifacts(name: string, json = fixtureJson(name)): tf.io.ModelArtifacts {
  const weights = readFileSync(join(FIXTURE_MODELS, name, 'group1-shard1of1.bin'));
  return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer };
}

/**
 * For the tests of one file (call it at the top of a `describe`): the fixture models served over
 * http://127.0.0.1 from `url` (set before the first test), and a `scratch` folder for changed
 * copies of them; both go when the file's tests are done.
 */
export function fixtureSite(): { url: string; readonly scratch: string } {
  const site = { url: '', scratch: mkdtempSync(join(tmpdir(), 'attentive-cutmix-models-')) };
  let server: Awaited<ReturnType<typeof serveFolder>> | undefined;
  beforeAll(async () => {
    server = await serveFolder(FIXTURE_MODELS);
    site.url = server.url;
  });
  afterAll(() => {
    server?.close();
    rmSync(site.scratch, { recursive: true, force: true });
  });
  return site;
}
