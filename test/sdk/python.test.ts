// Runs the Python SDK's unittest suite (which starts a real `aether serve` itself), so `npm test`
// covers the Python SDK too. Skipped only on a machine without python3 outside CI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inCI } from '../helpers/stores.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const missing = probe.error !== undefined || probe.status !== 0;
if (missing && inCI) throw new Error('python3 is required in CI for the Python SDK tests');

describe('Python SDK', () => {
  it('passes its unittest suite against a real server', { skip: missing ? 'python3 is not installed' : false, timeout: 300_000 }, async () => {
    // The suite starts the server with `node`: make it the node running this test.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        'python3',
        ['-m', 'unittest', 'discover', '-s', 'sdk-python/tests', '-v'],
        { cwd: ROOT, env, timeout: 280_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, out: `${stdout}${stderr}` });
        },
      );
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^OK/m, r.out);
    console.log(r.out.split('\n').filter((l) => /^Ran \d+ tests/.test(l)).join('\n'));
  });
});
