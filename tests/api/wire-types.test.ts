import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serverOpenApiDocument, WIRE_TYPES_PATH, wireTypesOf } from '../../scripts/wire-types.js';

/*
 * The browser's wire types are generated from the server's OpenAPI document (docs/decisions/0013).
 * A route whose schema changed without `npm run gen:api` leaves the browser typed against an API
 * that no longer exists; this test is what makes CI notice.
 */
describe('web/src/api.generated.ts', () => {
  it('is what `npm run gen:api` makes of the server OpenAPI document today', async () => {
    const expected = await wireTypesOf(await serverOpenApiDocument());
    const checkedIn = readFileSync(WIRE_TYPES_PATH, 'utf8');
    expect(
      checkedIn === expected,
      'web/src/api.generated.ts is stale: run `npm run gen:api` and commit it',
    ).toBe(true);
  });

  it('notices a change to a route schema', async () => {
    const doc = await serverOpenApiDocument();
    const paths = doc.paths ?? {};
    expect(Object.keys(paths)).toContain('/api/cases');
    delete paths['/api/cases'];
    expect(await wireTypesOf(doc)).not.toBe(readFileSync(WIRE_TYPES_PATH, 'utf8'));
  });

  it('has a JSON reply schema for every inspection, effort, sampling-plan and designation route, and for balances and the state evaluation', async () => {
    // Those routes' browser types are read out of the generated file (docs/decisions/0013), so
    // each must say what it answers; a route added without a response schema would be `never`.
    const doc = await serverOpenApiDocument();
    const area =
      /^\/api\/((inspections|inspection-effort|sampling-plans|designations)(\/|$)|mbas\/\{code\}\/balances$|states\/\{code\}\/evaluation$)/;
    const untyped: string[] = [];
    let routes = 0;
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (!area.test(path)) continue;
      for (const [method, op] of Object.entries(item ?? {})) {
        if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
        routes += 1;
        const replies = Object.entries((op as { responses?: Record<string, unknown> }).responses ?? {});
        const typed = replies.some(
          ([status, r]) => status.startsWith('2') && typeof r === 'object' && r !== null && 'content' in r,
        );
        if (!typed) untyped.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining(['/api/mbas/{code}/balances', '/api/states/{code}/evaluation']),
    );
    expect(routes).toBeGreaterThanOrEqual(24);
    expect(untyped).toEqual([]);
  });
});
