// CTest entry point: runs one e2e test file with node's test runner, or
// skips (exit 77) with a clear message when the npm dependencies are not
// installed (`npm ci --prefix tests/e2e`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!fs.existsSync(path.join(here, 'node_modules', 'openai6')) || !fs.existsSync(path.join(here, 'node_modules', 'openai7'))) {
  console.log('SKIPPED: tests/e2e/node_modules is missing; run `npm ci --prefix tests/e2e` first.');
  process.exit(77);
}
const files = process.argv.slice(2).map((f) => path.resolve(here, f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: here,
});
process.exit(r.status ?? 1);
