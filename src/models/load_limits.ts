// What a load of a model's files may take (options.timeout for each file fetched) and how it is
// stopped (options.signal): the options, and the errors that say which of the two stopped it.
import { customOption, withDefault } from '../options.js';
import { errorMessage } from '../validation.js';

/**
 * How long loading a model's files may take, and how to stop it.
 * @public
 */
export interface ModelLoadOptions {
  /**
   * Stops the load when aborted (an `AbortController`'s signal): a request under way is cancelled
   * at once, a local read stops before its next file, an IOHandler is no longer waited for. The
   * load then rejects with an `AbortError` naming the file and the signal's reason.
   */
  signal?: AbortSignal;
  /**
   * Milliseconds each file fetched over HTTP(S) may take, from the request to its last byte
   * (redirects included), so that a silent server, or one that trickles its answer, cannot hold
   * the load: a positive number, `Infinity` for no limit. Past it the load rejects with a
   * `TimeoutError` naming the file. Default 60000 (a minute a file: a 4 MB shard, tfjs-converter's
   * default, at 0.5 Mbit/s); raise it for larger files on slow connections.
   */
  timeout?: number;
}

/** {@link ModelLoadOptions}: defaults and rules. */
export const LOAD_OPTIONS = {
  signal: customOption<AbortSignal>(
    'an AbortSignal (from an AbortController)',
    (v): v is AbortSignal => typeof v === 'object' && v !== null && typeof (v as AbortSignal).aborted === 'boolean' && typeof (v as AbortSignal).addEventListener === 'function',
  ),
  timeout: withDefault(customOption<number>('a number of milliseconds > 0 (Infinity for none)', (v): v is number => typeof v === 'number' && v > 0), 60_000),
};

/** {@link ModelLoadOptions} after validation and defaults. */
export interface LoadLimits {
  signal: AbortSignal | undefined;
  timeout: number;
}

/**
 * Runs the work of one file with a signal of its own, aborted by the caller's signal or when
 * `limits.timeout` ms have passed; whatever the work then fails with, the error says which of the
 * two stopped it. (Timers longer than 2³¹ − 1 ms fire at once in Node and browsers: those wait
 * for the signal alone.)
 */
export async function withinLimits<T>(limits: LoadLimits, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  throwIfAborted(limits.signal, what);
  const controller = new AbortController();
  let timedOut = false;
  const timer = limits.timeout <= MAX_TIMER_MS ? setTimeout(() => ((timedOut = true), controller.abort()), limits.timeout) : undefined;
  const stop = () => controller.abort();
  limits.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await work(controller.signal);
  } catch (e) {
    if (timedOut) {
      const error = new Error(
        `Cannot fetch ${what}: no complete answer within ${limits.timeout} ms (options.timeout); the server is silent or too slow. Raise options.timeout for a large file on a slow connection (Infinity for no limit).`,
        { cause: e },
      );
      error.name = 'TimeoutError';
      throw error;
    }
    throwIfAborted(limits.signal, what);
    throw e;
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', stop);
  }
}

/** The longest delay a timer keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws the `AbortError` of `what` if the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

function abortError(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  const error = new Error(`Loading ${what} was aborted (options.signal): ${errorMessage(reason)}`, { cause: reason });
  error.name = 'AbortError';
  return error;
}

/** True for the errors of {@link abortError}. */
export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError' && e.message.includes('(options.signal)');
}

/**
 * `promise`, or the `AbortError` of `what` as soon as the signal aborts: for work that cannot be
 * cancelled (an IOHandler's load), whose late rejection is then handled here.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  promise.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(abortError(signal, what));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
