#!/usr/bin/env node
// The `attentive-cutmix` command (package.json "bin"). Run `attentive-cutmix --help` for usage.
import { runCli } from './run.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`attentive-cutmix: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
