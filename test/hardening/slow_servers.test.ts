// Servers that never answer, answer too slowly, or are left by the caller: loading over HTTP gives
// up on each file after options.timeout (a default one too), stops at once when options.signal is
// aborted, and says which file and why; nothing is left running, no tensor behind. The servers
// run on 127.0.0.1; every test ends in bounded time (its own timeout is a few hundred milliseconds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

import '../support/backend.js'; // the cpu backend (this file runs in the host project)
import { listFeatureNodes, loadAttentionExtractor } from '../../src/index.js';
import { WEIGHTS, loaderHarness, scratchServer } from '../support/loader_harness.js';

const harness = loaderHarness('tiny-cnn');
const { state, requested, routes, served } = scratchServer(harness);

/** A route that sends headers, then one byte every `ms` milliseconds, forever; records when the client leaves. */
function trickle(ms: number, left: { closed: boolean }) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const timer = setInterval(() => res.write(' '), ms);
    req.socket.on('close', () => {
      clearInterval(timer);
      left.closed = true;
    });
  };
}

/** A route that never answers; records when the client leaves. */
function silent(left: { closed: boolean }) {
  return (req: import('node:http').IncomingMessage) => void req.socket.on('close', () => (left.closed = true));
}

/** Waits until `check` holds (the server sees the client leave a moment after the promise settles). */
async function eventually(check: () => boolean): Promise<void> {
  // Generous: the server sees the hang-up a moment later, more on a loaded machine (2 s was not enough there).
  const start = Date.now();
  while (!check() && Date.now() - start < 10_000) await new Promise((done) => setTimeout(done, 10));
  expect(check()).toBe(true);
}

/** The error of a load that must fail, checked to name the URL and to leave no tensor behind. */
async function refusal(load: () => Promise<unknown>, url: string): Promise<Error> {
  const before = tf.memory().numTensors;
  const error = await load().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toContain(url);
  expect(tf.memory().numTensors).toBe(before);
  return error as Error;
}

describe('options.timeout, per file', () => {
  it('gives up on a silent server, naming model.json, the timeout and the option, and hangs up', async () => {
    const left = { closed: false };
    routes.set('/silent/model.json', silent(left));
    const url = `${state.base}/silent/model.json`;
    for (const load of [() => loadAttentionExtractor(url, { timeout: 300 }), () => listFeatureNodes(url, { timeout: 300 })]) {
      left.closed = false;
      const error = await refusal(load, url);
      expect(error.name).toBe('TimeoutError');
      expect(error.message).toMatch(/^Cannot fetch the model file http:\/\/127\.0\.0\.1:\d+\/silent\/model\.json: no complete answer within 300 ms \(options\.timeout\)/);
      await eventually(() => left.closed);
    }
  });

  it('gives up on a weight file that trickles a byte at a time, naming it', async () => {
    const left = { closed: false };
    const { url, folder } = served();
    routes.set(`${folder}${WEIGHTS}`, trickle(20, left));
    const error = await refusal(() => loadAttentionExtractor(url, { timeout: 400 }), url);
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toMatch(new RegExp(`^Cannot fetch the weight file '${WEIGHTS}' of ${url.replaceAll('.', '\\.')}: no complete answer within 400 ms \\(options\\.timeout\\)`));
    await eventually(() => left.closed);
  });

  it('gives up on a trickling model.json, and on a redirect to a silent weight file, the hops counted in the file’s time', async () => {
    const trickled = { closed: false };
    routes.set('/trickle/model.json', trickle(20, trickled));
    const url = `${state.base}/trickle/model.json`;
    expect((await refusal(() => loadAttentionExtractor(url, { timeout: 300 }), url)).name).toBe('TimeoutError');
    await eventually(() => trickled.closed);

    const left = { closed: false };
    const { url: model, folder } = served((_, json) => void (json.weightsManifest[0]!.paths = ['moved.bin']));
    routes.set(`${folder}moved.bin`, (_, res) => (res.writeHead(302, { location: 'silent.bin' }), res.end()));
    routes.set(`${folder}silent.bin`, silent(left));
    const error = await refusal(() => loadAttentionExtractor(model, { timeout: 300 }), model);
    expect(error.message).toMatch(/the weight file 'moved\.bin' of .*: no complete answer within 300 ms/);
    await eventually(() => left.closed);
  });

  it('gives each file the whole timeout: files that each take most of it load', async () => {
    const { url, folder } = served();
    const slowly = (file: string) => (_: unknown, res: import('node:http').ServerResponse) => void setTimeout(() => res.end(readFileSync(join(harness.scratch, folder, file))), 600);
    routes.set(`${folder}model.json`, slowly('model.json'));
    routes.set(`${folder}${WEIGHTS}`, slowly(WEIGHTS));
    (await loadAttentionExtractor(url, { timeout: 1000 })).dispose(); // 1.2 s in all, under 1 s a file
  });

  it('has a default: 60 s a file', async () => {
    const left = { closed: false };
    routes.set('/default/model.json', silent(left));
    const url = `${state.base}/default/model.json`;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const settled = loadAttentionExtractor(url).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      await vi.advanceTimersByTimeAsync(59_000);
      expect(left.closed).toBe(false);
      await vi.advanceTimersByTimeAsync(1_000);
      const error = await settled;
      expect(error?.name).toBe('TimeoutError');
      expect(error?.message).toMatch(/no complete answer within 60000 ms \(options\.timeout\)/);
    } finally {
      vi.useRealTimers();
    }
    await eventually(() => left.closed);
  });

  it('waits as long as it takes with timeout: Infinity, until the signal stops it', async () => {
    const left = { closed: false };
    routes.set('/forever/model.json', silent(left));
    const url = `${state.base}/forever/model.json`;
    const controller = new AbortController();
    const pending = refusal(() => loadAttentionExtractor(url, { timeout: Infinity, signal: controller.signal }), url);
    await new Promise((done) => setTimeout(done, 300));
    expect(left.closed).toBe(false);
    controller.abort();
    expect((await pending).name).toBe('AbortError');
  });
});

describe('options.signal', () => {
  it('stops a load waiting on a server at once, with the reason, and hangs up', async () => {
    const left = { closed: false };
    routes.set('/abort/model.json', silent(left));
    const url = `${state.base}/abort/model.json`;
    const controller = new AbortController();
    const reason = new Error('the user left the page');
    setTimeout(() => controller.abort(reason), 100);
    const error = await refusal(() => loadAttentionExtractor(url, { signal: controller.signal }), url);
    expect(error.name).toBe('AbortError');
    expect(error.message).toMatch(/^Loading the model file http:\/\/127\.0\.0\.1:\d+\/abort\/model\.json was aborted \(options\.signal\): the user left the page$/);
    expect(error.cause).toBe(reason);
    await eventually(() => left.closed);
  });

  it('stops while a weight file trickles in', async () => {
    const left = { closed: false };
    const { url, folder } = served();
    routes.set(`${folder}${WEIGHTS}`, trickle(20, left));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await refusal(() => listFeatureNodes(url, { signal: controller.signal }), url);
    expect(error.name).toBe('AbortError');
    expect(error.message).toMatch(new RegExp(`^Loading the weight file '${WEIGHTS}' of .* was aborted \\(options\\.signal\\)`));
    await eventually(() => left.closed);
  });

  it('requests nothing, and reads no file, when it is already aborted', async () => {
    const { url } = served();
    const local = harness.model();
    requested.length = 0;
    harness.opened.length = 0;
    for (const source of [url, local]) {
      const error = await refusal(() => loadAttentionExtractor(source, { signal: AbortSignal.abort() }), source);
      expect(error.name).toBe('AbortError');
    }
    expect(requested).toEqual([]);
    expect(harness.opened).toEqual([]);
  });

  it('stops waiting on an IOHandler whose load never settles, and on one that rejects afterwards (no unhandled rejection)', async () => {
    const controller = new AbortController();
    let rejectLater!: (e: Error) => void;
    const never = () => new Promise<tf.io.ModelArtifacts>((_, reject) => void (rejectLater = reject));
    const pending = loadAttentionExtractor({ load: never }, { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    setTimeout(() => controller.abort(), 50);
    const error = (await pending)!;
    expect(error.name).toBe('AbortError');
    expect(error.message).toMatch(/^Loading the IOHandler passed as source was aborted \(options\.signal\)/);
    rejectLater(new Error('late failure'));
    await new Promise((done) => setTimeout(done, 20)); // the harness fails the test on an unhandled rejection
  });
});

describe('the options themselves', () => {
  it.each<[string, object, RegExp]>([
    ['a timeout of 0', { timeout: 0 }, /Argument 'options.timeout' passed to 'loadAttentionExtractor' must be a number of milliseconds > 0 \(Infinity for none\), but got 0\./],
    ['a negative timeout', { timeout: -5 }, /options.timeout.*but got -5\./],
    ['a NaN timeout', { timeout: Number.NaN }, /options.timeout.*but got NaN\./],
    ['a timeout as a string', { timeout: '100' }, /options.timeout.*but got '100'\./],
    ['a signal that is not an AbortSignal', { signal: { aborted: false } }, /Argument 'options.signal' passed to 'loadAttentionExtractor' must be an AbortSignal \(from an AbortController\), but got an object with keys \[aborted\]\./],
  ])('refuses %s, naming it, before requesting anything', async (_, options, pattern) => {
    const { url } = served();
    requested.length = 0;
    await expect(loadAttentionExtractor(url, options as never)).rejects.toThrow(pattern);
    await expect(listFeatureNodes(url, options as never)).rejects.toThrow(pattern.source.includes('loadAttentionExtractor') ? new RegExp(pattern.source.replace('loadAttentionExtractor', 'listFeatureNodes')) : pattern);
    expect(requested).toEqual([]);
  });
});

describe('servers that misbehave in any way (fuzzed)', () => {
  /** How a server answers one file: after a delay (or never), in pieces with gaps, maybe stopping halfway (silent, or hanging up), with a length or chunked. */
  const answerArb = fc.record({
    delay: fc.constantFrom(0, 30, Infinity),
    pieces: fc.integer({ min: 1, max: 4 }),
    gap: fc.constantFrom(0, 30, 90),
    stop: fc.constantFrom('never' as const, 'silent' as const, 'hang up' as const),
    declareLength: fc.boolean(),
  });
  type Answer = typeof answerArb extends fc.Arbitrary<infer A> ? A : never;
  const TIMEOUT = 600;

  function answer(bytes: Buffer, a: Answer) {
    return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const timers: NodeJS.Timeout[] = [];
      const later = (ms: number, f: () => void) => void (Number.isFinite(ms) && timers.push(setTimeout(f, ms)));
      req.socket.on('close', () => timers.forEach(clearTimeout));
      later(a.delay, () => {
        res.writeHead(200, a.declareLength ? { 'content-length': String(bytes.length) } : {});
        const size = Math.ceil(bytes.length / a.pieces);
        const send = (k: number) => {
          if (a.stop !== 'never' && k === Math.floor(a.pieces / 2)) return void (a.stop === 'hang up' && res.destroy());
          if (k === a.pieces) return void res.end();
          res.write(bytes.subarray(k * size, (k + 1) * size));
          later(a.gap, () => send(k + 1));
        };
        send(0);
      });
    };
  }
  /** Whether an answer completes, and well within the timeout. */
  const quick = (a: Answer) => a.stop === 'never' && a.delay + a.gap * a.pieces < TIMEOUT / 4;
  const completes = (a: Answer) => a.stop === 'never' && Number.isFinite(a.delay);

  it('loads, or is refused naming the file, within the files’ timeouts: never hangs, leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(answerArb, answerArb, async (forJson, forWeights) => {
        const { url, folder } = served();
        routes.set(`${folder}model.json`, answer(readFileSync(join(harness.scratch, folder, 'model.json')), forJson));
        routes.set(`${folder}${WEIGHTS}`, answer(readFileSync(join(harness.scratch, folder, WEIGHTS)), forWeights));
        const before = tf.memory().numTensors;
        const started = Date.now();
        const error = await loadAttentionExtractor(url, { timeout: TIMEOUT }).then(
          (extractor) => void extractor.dispose(),
          (e: unknown) => e as Error,
        );
        expect(Date.now() - started, 'time to settle').toBeLessThan(2 * TIMEOUT + 2000);
        expect(tf.memory().numTensors).toBe(before);
        if (quick(forJson) && quick(forWeights)) expect(error).toBeUndefined();
        // The file that cannot arrive, as the error must name it: model.json's URL, or the weight file.
        const failing = !completes(forJson) ? /the model file http:\/\/127\.0\.0\.1:\d+\/.*model\.json/ : !completes(forWeights) ? new RegExp(`the weight file '?[^ ]*${WEIGHTS}`) : undefined;
        if (failing) {
          expect(error).toBeInstanceOf(Error);
          expect(error!.message).toMatch(failing);
          if (!completes(forJson) ? forJson.stop !== 'hang up' : forWeights.stop !== 'hang up') expect(error!.name).toBe('TimeoutError');
        } else if (error) {
          expect(error.name, error.message).toBe('TimeoutError'); // a slow answer: no other way to fail
        }
      }),
      { seed: 20_251_208, numRuns: 14 },
    );
  }, 120_000);
});
