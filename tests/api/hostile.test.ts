import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/reports.js';
import { DETAIL_CODES, ERROR_CODES } from '../../src/domain/errors.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { demoSeed, initialReport, submit } from '../fixtures/reports.js';

/**
 * Hostile input (reliability issue 4): whatever a client sends, the answer is a 4xx with an error
 * code (or a success), never a 5xx and never a crash. Fuzzing runs are bounded so the file stays
 * around half a minute.
 */
const RUNS = Number(process.env.CUSTOS_FUZZ_RUNS ?? 60);

/** A 4xx must carry the error envelope; the witness endpoint speaks C2SP plain text instead. */
function expectHandled(res: LightMyRequestResponse, where: string): void {
  expect(res.statusCode, `${where}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400 && !where.includes('/log/witness/')) {
    const body = JSON.parse(res.body) as { error?: { code?: string; details?: unknown } | string };
    const error = typeof body.error === 'object' ? body.error : undefined;
    // Hostile bytes are answered in the closed sets of codes only, the refusal's and each problem's.
    expect(ERROR_CODES, where).toContain(error?.code);
    const details = Array.isArray(error?.details) ? (error.details as { code?: unknown }[]) : [];
    for (const d of details) expect(DETAIL_CODES, where).toContain(d.code);
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const hostileString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '../../etc/passwd',
    '%00',
    '\u0000',
    "'; drop table reports; --",
    '__proto__',
    'constructor',
    '{"__proto__":{"x":1}}',
    '=HYPERLINK("http://evil")',
    '\r\nSet-Cookie: a=b',
    '9'.repeat(400),
    '-1',
    '1e309',
    'NaN',
  ),
);
const queryValue = fc.oneof(hostileString, fc.integer().map(String), fc.bigInt().map(String));

describe('hostile input (sqlite)', () => {
  let t: TestApp;
  let reportId = '';
  beforeAll(async () => {
    // The fuzzing below sends hundreds of refused reports from one principal on a clock that
    // stands still; throttling them is its own class (hostile-limits.test.ts), so it is off here
    // and every later case still sees its refusal's codes.
    t = await createTestApp('sqlite', { demo: true, env: { CUSTOS_REFUSALS_PER_MINUTE: '1000000' } });
    const res = await submit(t, 'xa-ssac.submitter', initialReport());
    expect(res.statusCode, res.body).toBe(201);
    reportId = (res.json() as { id: string }).id;
    await t.log.flush();
  });
  afterAll(async () => {
    await t.close();
  });

  it('fuzzes every public endpoint: body and query', async () => {
    const publicGets = [
      '/log/proof/inclusion',
      '/log/proof/consistency',
      '/api/log/checkpoints',
      '/log/checkpoint',
      '/healthz',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...publicGets),
        fc.dictionary(fc.constantFrom('index', 'size', 'from', 'to', 'before', 'limit', 'x'), queryValue, {
          maxKeys: 4,
        }),
        async (path, query) => {
          const url = `${path}?${new URLSearchParams(query).toString()}`;
          expectHandled(await t.app.inject({ method: 'GET', url }), `GET ${url}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileString, fc.integer().map(String)), async (seg) => {
        for (const base of ['/log/entries/', '/log/tile/', '/api/log/checkpoints/', '/log/tile/entries/']) {
          const url = base + encodeURIComponent(seg);
          expectHandled(await t.app.inject({ method: 'GET', url }), `GET ${url}`);
        }
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonValue.map((v) => JSON.stringify(v)),
          fc.record({ login: hostileString, password: hostileString }).map((v) => JSON.stringify(v)),
          hostileString,
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'text/csv'),
        async (payload, type) => {
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/session',
            headers: { 'content-type': type },
            payload,
          });
          expectHandled(res, 'POST /api/session');
          expect(res.statusCode).not.toBe(200);
        },
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileString, fc.uint8Array({ maxLength: 600 })), async (body) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/log/witness/add-checkpoint',
          payload: typeof body === 'string' ? body : Buffer.from(body),
          headers: { 'content-type': 'application/octet-stream' },
        });
        expectHandled(res, 'POST /log/witness/add-checkpoint');
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: RUNS },
    );
  });

  it('fuzzes report submission and the authenticated query strings', async () => {
    const seed = demoSeed(t, 'xa-ssac');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonValue.map((v) => JSON.stringify(v)),
          fc
            .record({
              ...Object.fromEntries(Object.entries(initialReport()).map(([k, v]) => [k, fc.constant(v)])),
              lines: fc.array(jsonValue, { maxLength: 5 }),
              lineCount: fc.integer(),
              reportNumber: fc.oneof(fc.integer(), fc.double(), hostileString),
            })
            .map((v) => JSON.stringify(v)),
          hostileString,
        ),
        fc.boolean(),
        fc.boolean(),
        async (body, csv, signed) => {
          const bytes = Buffer.from(body);
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/reports',
            headers: {
              ...bearer(t.token('xa-ssac.submitter')),
              'content-type': csv ? 'text/csv' : 'application/json',
              ...(signed ? { 'custos-signature': signatureHeader(seed, bytes) } : {}),
            },
            payload: bytes,
          });
          expectHandled(res, 'POST /api/reports');
          expect(res.statusCode).not.toBe(201);
        },
      ),
      { numRuns: RUNS },
    );
    const userGets = ['/api/reports', '/api/rejections', '/api/mbas/XA-F1/lines', '/api/cases', '/api/mbas'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...userGets),
        fc.dictionary(
          fc.constantFrom('state', 'mba', 'type', 'limit', 'offset', 'asOf', 'effective', 'status', 'kind'),
          queryValue,
          { maxKeys: 3 },
        ),
        async (path, query) => {
          const url = `${path}?${new URLSearchParams(query).toString()}`;
          expectHandled(
            await t.app.inject({ method: 'GET', url, headers: bearer(t.token('agency.inspector')) }),
            `GET ${url}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('oversized bodies are 413 BODY_TOO_LARGE', async () => {
    const small = await createTestApp('sqlite', { env: { CUSTOS_BODY_LIMIT_MB: '1' } });
    try {
      await expectTooLarge(small);
    } finally {
      await small.close();
    }
  });

  async function expectTooLarge(t: TestApp) {
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    for (const [url, type] of [
      ['/api/reports', 'application/json'],
      ['/api/reports', 'text/csv'],
      ['/api/session', 'application/json'],
      ['/api/cases', 'application/json'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(t.adminToken), 'content-type': type },
        payload: big,
      });
      expect(res.statusCode, `${url} ${type}`).toBe(413);
      expect((res.json() as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
    }
    const witness = await t.app.inject({
      method: 'POST',
      url: '/log/witness/add-checkpoint',
      payload: Buffer.alloc(70 * 1024, 0x41),
    });
    expect(witness.statusCode).toBe(413);
  }

  it('deep JSON nesting is a 4xx, not a stack overflow', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObj = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    for (const payload of [deep, deepObj]) {
      for (const url of ['/api/session', '/api/cases', '/api/reports']) {
        const bytes = Buffer.from(payload);
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: {
            ...bearer(t.token('xa-ssac.submitter')),
            'content-type': 'application/json',
            'custos-signature': signatureHeader(demoSeed(t, 'xa-ssac'), bytes),
          },
          payload: bytes,
        });
        expectHandled(res, `deep ${url}`);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it('huge line counts and a claimed count that does not match are refused with codes', async () => {
    const claimed = { ...initialReport('XA-S1'), lineCount: 2 ** 53 };
    const res = await submit(t, 'xa-ssac.submitter', claimed);
    expectHandled(res, 'lineCount 2^53');
    expect(res.statusCode).toBe(422);
    // 50 000 lines of the same batch: every problem gathered, still a 422 with codes.
    const line = initialReport('XA-S1').lines[0] as object;
    const many = {
      ...initialReport('XA-S1'),
      lineCount: 50_000,
      lines: Array.from({ length: 50_000 }, (_, i) => ({ ...line, line: i + 1 })),
    };
    const big = await submit(t, 'xa-ssac.submitter', many);
    expectHandled(big, '50 000 lines');
    expect(big.statusCode).toBe(422);
  }, 60_000);

  it('invalid UTF-8 in a report body is a 4xx with a code', async () => {
    for (const csv of [false, true]) {
      const bytes = Buffer.concat([
        Buffer.from(csv ? 'type,ICR\nmba,XA-F1\n' : '{"type":"ICR","mba":"XA-F1'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
        Buffer.from(csv ? '\n' : '"}'),
      ]);
      const res = await submit(t, 'xa-ssac.submitter', bytes.toString('latin1'), { csv });
      // submit() re-encodes strings; send the raw bytes too.
      expectHandled(res, 'latin1 body');
      const raw = await t.app.inject({
        method: 'POST',
        url: '/api/reports',
        headers: {
          ...bearer(t.token('xa-ssac.submitter')),
          'content-type': csv ? 'text/csv' : 'application/json',
          'custos-signature': signatureHeader(demoSeed(t, 'xa-ssac'), bytes),
        },
        payload: bytes,
      });
      expectHandled(raw, `invalid UTF-8 ${csv ? 'csv' : 'json'}`);
      expect(raw.statusCode).toBeGreaterThanOrEqual(400);
    }
    const session = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expectHandled(session, 'invalid UTF-8 session');
  });

  it('CSV export neutralises cells that start with = + - @', async () => {
    const evil = {
      ...initialReport('XA-S1'),
      reportingPerson: '=HYPERLINK("http://evil.example","x")',
      lines: initialReport('XA-S1').lines.map((l, i) => ({ ...l, batch: ['@SUM(A1)', '+1+1'][i] })),
    };
    const res = await submit(t, 'xa-ssac.submitter', evil);
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as { id: string }).id;
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/reports/${encodeURIComponent(id)}?format=csv`,
      headers: bearer(t.token('xa-ssac.reviewer')),
    });
    expect(csv.statusCode).toBe(200);
    // Every cell, however it is quoted, must not start with a formula character.
    const cells = csv.body
      .split(/\r?\n/)
      .flatMap((row) => row.split(/[,;]/))
      .map((c) => c.replace(/^"/, ''));
    const formulas = cells.filter((c) => /^[=+\-@]/.test(c) && !/^-?\d/.test(c));
    expect(formulas).toEqual([]);
    expect(csv.body).toContain(`'=HYPERLINK`);
    expect(csv.body).toContain(`'@SUM(A1)`);
    expect(csv.body).toContain(`'+1+1`);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.csv"$/);
    // The export id is the report id; a traversal-looking id is not found, never a file.
    const trav = await t.app.inject({
      method: 'GET',
      url: `/api/reports/${encodeURIComponent('../../etc/passwd')}?format=csv`,
      headers: bearer(t.token('xa-ssac.reviewer')),
    });
    expect(trav.statusCode).toBe(404);
    expect(reportId).not.toBe('');
  });

  it('attachments: traversal names never reach a path or a header; hashes are the only address', async () => {
    const open = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(t.token('agency.inspector')),
      payload: { kind: 'question', state: 'XA', title: 'hostile attachment' },
    });
    expect(open.statusCode, open.body).toBe(201);
    const caseId = (open.json() as { id: string }).id;
    const names = [
      '../../../etc/passwd',
      '..\\..\\windows\\win.ini',
      'a"\r\nSet-Cookie: x=y.txt',
      '/abs/path',
    ];
    const msg = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/messages`,
      headers: bearer(t.token('agency.inspector')),
      payload: {
        text: 'files',
        attachments: names.map((name, i) => ({
          name,
          contentType: 'text/plain',
          data: Buffer.from(`file ${i}`).toString('base64'),
        })),
      },
    });
    expectHandled(msg, 'attachments with traversal names');
    for (const hash of ['..%2F..%2Fetc%2Fpasswd', '..', `${'0'.repeat(63)}/`, '%2e%2e%2f%2e%2e']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/cases/${caseId}/attachments/${hash}`,
        headers: bearer(t.token('agency.inspector')),
      });
      expectHandled(res, `attachment ${hash}`);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
    }
    if (msg.statusCode === 201) {
      const view = await t.app.inject({
        method: 'GET',
        url: `/api/cases/${caseId}`,
        headers: bearer(t.token('agency.inspector')),
      });
      const hashes = [...view.body.matchAll(/"([0-9a-f]{64})"/g)].map((m) => m[1]);
      for (const hash of new Set(hashes)) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/cases/${caseId}/attachments/${hash}`,
          headers: bearer(t.token('agency.inspector')),
        });
        if (res.statusCode !== 200) continue;
        const cd = String(res.headers['content-disposition']);
        expect(cd).not.toMatch(/[\r\n]/);
        expect(res.headers['set-cookie']).toBeUndefined();
        // The file name offered to the browser carries no directory part and no quote breakout.
        const name = /filename="(.*)"$/.exec(cd)?.[1] ?? '';
        expect(name).not.toMatch(/["/\\]/);
      }
    }
  });

  it('webhooks: header injection and unsafe targets are 4xx with a code', async () => {
    const bad: object[] = [
      { url: 'http://127.0.0.1:1/hook\r\nX-Evil: 1' },
      { url: 'https://example.org/hook', headers: { 'X-Evil': 'a\r\nSet-Cookie: b=c' } },
      { url: 'https://example.org/hook', headers: { 'Bad Header\r\n': 'x' } },
      { url: 'https://example.org/hook', headers: { authorization: 'Bearer x', host: 'evil' } },
      { url: 'file:///etc/passwd' },
      { url: 'javascript:alert(1)' },
      { url: 'https://user:pass@example.org/\u0000' },
    ];
    for (const payload of bad) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/webhooks',
        headers: bearer(t.token('xa-ssac.admin')),
        payload,
      });
      expectHandled(res, `webhook ${JSON.stringify(payload)}`);
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
    }
  });
});
