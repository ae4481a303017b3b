// The package is "type": "module", so Node would read dist/cjs/*.js as ESM without this marker.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
