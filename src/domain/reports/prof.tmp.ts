import { readReport } from './build-report.js';
import { largeIcrJson } from './test-support.js';

const bytes = new TextEncoder().encode(JSON.stringify(largeIcrJson(100000)));
for (let k = 0; k < 4; k++) {
  const t = performance.now();
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const t1 = performance.now();
  const v = JSON.parse(text);
  const t2 = performance.now();
  const r = readReport(v, 'json');
  const t3 = performance.now();
  console.log(
    'decode',
    (t1 - t).toFixed(0),
    'parse',
    (t2 - t1).toFixed(0),
    'read',
    (t3 - t2).toFixed(0),
    r.ok,
  );
}
