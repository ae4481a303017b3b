// Pins every @tensorflow/* devDependency of package.json to one version, so that the test suite
// can run on another tfjs release than the lock file's (CI runs it on the lowest version of the
// peer range). The workspaces (packages/*) name tfjs only as peers, with the library's ranges
// (test/package/pack.test.ts holds them to it), so the pinned version serves them too. Run it in a
// scratch copy of the repository, then `npm install`:
//
//   node scripts/use-tfjs-version.mjs 4.0.0
import { readFileSync, writeFileSync } from 'node:fs';

const version = process.argv[2];
if (!/^\d+\.\d+\.\d+$/.test(version ?? '')) {
  console.error('usage: node scripts/use-tfjs-version.mjs X.Y.Z');
  process.exit(2);
}
const file = new URL('../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(file, 'utf8'));
for (const name of Object.keys(pkg.devDependencies)) if (name.startsWith('@tensorflow/')) pkg.devDependencies[name] = version;
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`@tensorflow/* devDependencies pinned to ${version}`);
