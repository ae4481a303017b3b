// Supply chain check for CI: `npm audit --omit=dev` (advisories in what users install). Fails on
// any advisory; when the registry offers no audit service (this workplace's mirror answers
// 405 to the advisories endpoint), says so plainly and does not pretend the audit passed.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`npm audit printed no JSON:\n${run.stdout}\n${run.stderr}`);
  process.exit(1);
}
if (report.statusCode !== undefined || report.error !== undefined) {
  const reason = report.message ?? report.error?.summary ?? JSON.stringify(report.error);
  console.log(`npm audit: NOT RUN, the registry has no audit service (${reason}).`);
  process.exit(0);
}
const counts = report.metadata?.vulnerabilities ?? {};
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`npm audit --omit=dev: ${total} advisories ${JSON.stringify(counts)}`);
process.exit(total === 0 ? 0 : 1);
