import { readFileSync } from 'node:fs';
import type { Principal } from '../../domain/policy/index.js';
import { type Agreement, computeKeyId } from '../../domain/registry/index.js';
import { ed25519PublicKey, ed25519Sign } from '../../log/index.js';
import { submitDeclaration } from '../declarations/submit.js';
import type { Clock, Ports } from '../ports.js';
import { createRegistryService } from '../registry.js';
import { submitterOf } from './reports.js';
import { demoKeyPath } from './seed.js';

/**
 * Borduria's Additional Protocol, in force since 1 January 2025: older than Arcadia's, so the demo
 * shows every kind of Article 3 obligation (initial, annual update, source-material trade,
 * quarterly Annex II returns). It comes with the demo year rather than the demo registry, so the
 * suites built on the registry alone keep a world where only Arcadia has a Protocol.
 */
const DEMO_AP_XB: Agreement = {
  id: 'AP-XB',
  type: 'AP',
  title: 'Additional Protocol (INFCIRC/540) — Borduria',
  entryIntoForce: '2025-01-01',
  status: 'in-force',
  parties: [
    { kind: 'state', ref: 'XB' },
    { kind: 'organisation', ref: 'agency' },
  ],
};

type Items = Record<string, string | number>[];

interface DemoDeclaration {
  /** A name for supplements to refer to (the real id is only known once accepted). */
  readonly key?: string;
  readonly org: 'xa-ssac' | 'xb-ssac';
  readonly article: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly items: Items;
  readonly supplements?: string;
  /** Simulated submission time. */
  readonly at: string;
}

const year = (y: number) => ({ from: `${y}-01-01`, to: `${y}-12-31` });
const quarter = (y: number, q: 1 | 2 | 3 | 4) => {
  const end = ['03-31', '06-30', '09-30', '12-31'][q - 1] as string;
  return { from: `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`, to: `${y}-${end}` };
};

/** Borduria's holdings of source material (Art. 2.a.(vi)(a)), as first declared and as updated. */
const XB_HOLDINGS: Items = [
  {
    location: 'Borduria Enrichment Plant, feed store',
    element: 'U',
    chemicalComposition: 'UO3',
    quantityKg: 12_400,
    use: 'Conversion feed',
  },
];

/** The articles of an initial declaration and its annual updates (Art. 3.a, 3.b), with their items. */
function initialSet(org: 'xa-ssac' | 'xb-ssac'): { article: string; items: Items }[] {
  const xa = org === 'xa-ssac';
  return [
    {
      article: '2.a.i',
      items: [
        {
          location: xa ? 'Arcadia Institute of Technology' : 'Bordurian Centre for Materials Research',
          description: xa ? 'Modelling of fuel pellet sintering' : 'Corrosion studies of centrifuge alloys',
          fundedBy: xa ? 'Ministry of Energy' : 'Bordurian Research Council',
        },
      ],
    },
    { article: '2.a.iii', items: [] },
    {
      article: '2.a.iv',
      items: xa
        ? []
        : [
            {
              annexRef: 'i',
              location: 'Borduria Enrichment Plant, workshop 3',
              scale: '40 rotor tubes a year',
            },
          ],
    },
    { article: '2.a.v', items: [] },
    { article: '2.a.vi.a', items: xa ? [] : XB_HOLDINGS },
    { article: '2.a.vii', items: [] },
    {
      article: '2.a.x',
      items: [
        {
          subject: xa ? 'Power reactors' : 'Enrichment',
          plan: xa ? 'Extend the power station by one unit' : 'Replace the first cascade hall',
          fromYear: '2026',
          toYear: '2035',
        },
      ],
    },
    { article: '2.b', items: [] },
  ];
}

/**
 * The demo world's Additional Protocol declarations, each signed by its State and submitted at a
 * simulated time: Arcadia's and Borduria's initial declarations, Borduria's annual update (one
 * article late, one amended by a supplement), a source-material export from Borduria matched by
 * Arcadia's import (Art. 2.a.(vi)(b)/(c)), and Annex II exports from Arcadia of which Borduria
 * confirms one and not the other: that one is ANNEX_II_UNMATCHED once its grace period has passed
 * (decision 0032). Arcadia's Annex II return for 2026-Q2 is late; the returns for 2026-Q3 (due
 * 29 November 2026) are left to be made, as the demo's reports leave nothing missing before then.
 */
function demoDeclarations(): DemoDeclaration[] {
  const out: DemoDeclaration[] = [];
  for (const d of initialSet('xb-ssac'))
    out.push({
      org: 'xb-ssac',
      ...d,
      period: { from: '2025-01-01', to: '2025-06-01' },
      at: '2025-06-20T10:00:00Z',
    });
  for (const d of initialSet('xa-ssac'))
    out.push({
      org: 'xa-ssac',
      ...d,
      period: { from: '2025-11-01', to: '2026-04-01' },
      at: '2026-04-28T10:00:00Z',
    });
  // Borduria's annual update for 2025 (Art. 3.b), its ten-year plan a fortnight late.
  for (const d of initialSet('xb-ssac'))
    out.push({
      org: 'xb-ssac',
      ...d,
      ...(d.article === '2.a.vi.a' ? { key: 'xb-holdings-2025' } : {}),
      period: year(2025),
      at: d.article === '2.a.x' ? '2026-05-29T10:00:00Z' : '2026-05-12T10:00:00Z',
    });
  // The update's holdings amended: the feed store's stock was re-weighed.
  out.push({
    org: 'xb-ssac',
    article: '2.a.vi.a',
    period: year(2025),
    items: [{ ...XB_HOLDINGS[0], quantityKg: 12_385.5 } as Items[number]],
    supplements: 'xb-holdings-2025',
    at: '2026-06-15T10:00:00Z',
  });
  // Source material for non-nuclear use, Borduria to Arcadia in 2025 (Art. 3.c), declared by both.
  const uo3 = { element: 'U', chemicalComposition: 'UO3', quantityKg: 250 };
  out.push(
    {
      org: 'xb-ssac',
      article: '2.a.vi.b',
      period: year(2025),
      items: [{ ...uo3, destinationState: 'XA', exportDate: '2025-12-10' }],
      at: '2026-05-12T10:00:00Z',
    },
    { org: 'xb-ssac', article: '2.a.vi.c', period: year(2025), items: [], at: '2026-05-12T10:00:00Z' },
    {
      org: 'xa-ssac',
      article: '2.a.vi.c',
      period: year(2025),
      items: [{ ...uo3, originState: 'XB', importDate: '2025-12-15' }],
      at: '2026-05-14T10:00:00Z',
    },
    { org: 'xa-ssac', article: '2.a.vi.b', period: year(2025), items: [], at: '2026-05-14T10:00:00Z' },
  );
  // Quarterly Annex II returns (Art. 3.d): Borduria exports nothing (nil returns) …
  const xbQuarters: [number, 1 | 2 | 3 | 4, string][] = [
    [2025, 1, '2025-05-20'],
    [2025, 2, '2025-08-22'],
    [2025, 3, '2025-11-20'],
    [2025, 4, '2026-02-20'],
    [2026, 1, '2026-05-21'],
    [2026, 2, '2026-08-18'],
  ];
  for (const [y, q, on] of xbQuarters)
    out.push({ org: 'xb-ssac', article: '2.a.ix', period: quarter(y, q), items: [], at: `${on}T10:00:00Z` });
  // … Arcadia exports two lots of Annex II items to Borduria in 2026-Q1.
  const rotor = {
    annexRef: '5.1',
    description: 'Gas centrifuge rotor assemblies',
    quantity: 12,
    destinationState: 'XB',
    intendedUseLocation: 'Borduria Enrichment Plant',
    exportDate: '2026-02-10',
  };
  out.push(
    { org: 'xa-ssac', article: '2.a.ix', period: quarter(2025, 4), items: [], at: '2026-02-25T10:00:00Z' },
    // Arcadia's nil return for 2026-Q2 comes twelve days after it was due.
    { org: 'xa-ssac', article: '2.a.ix', period: quarter(2026, 2), items: [], at: '2026-09-10T10:00:00Z' },
    {
      org: 'xa-ssac',
      article: '2.a.ix',
      period: quarter(2026, 1),
      items: [
        rotor,
        {
          annexRef: '5.1.2',
          description: 'Rotor tube cylinders',
          quantity: 3,
          destinationState: 'XB',
          intendedUseLocation: 'Borduria Enrichment Plant',
          exportDate: '2026-03-05',
        },
      ],
      at: '2026-05-22T10:00:00Z',
    },
    // Borduria confirms the rotor assemblies only (Art. 2.a.(ix)(b)); the cylinders stay unmatched.
    {
      org: 'xb-ssac',
      article: '2.a.ix.b',
      period: quarter(2026, 1),
      items: [{ annexRef: '5.1', quantity: 12, originState: 'XA', importDate: '2026-02-16' }],
      at: '2026-06-10T10:00:00Z',
    },
  );
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Register Borduria's Protocol and submit the demo declarations through the real signed path
 * (signature, validation, locking, the log), at their simulated times.
 */
export async function seedDemoDeclarations(
  ports: Ports,
  admin: Principal,
): Promise<{ accepted: number; refused: number }> {
  await createRegistryService(ports).createAgreement(admin, DEMO_AP_XB);
  const ids = new Map<string, string>();
  const seeds = new Map<string, Uint8Array>();
  let accepted = 0;
  let refused = 0;
  for (const d of demoDeclarations()) {
    let seed = seeds.get(d.org);
    if (!seed) {
      seed = new Uint8Array(
        Buffer.from(readFileSync(demoKeyPath(ports.config.dataDir, d.org), 'utf8').trim(), 'base64'),
      );
      seeds.set(d.org, seed);
    }
    const supplements = d.supplements === undefined ? undefined : ids.get(d.supplements);
    const body = Buffer.from(
      JSON.stringify({
        state: d.org === 'xa-ssac' ? 'XA' : 'XB',
        article: d.article,
        period: d.period,
        items: d.items,
        ...(supplements === undefined ? {} : { supplements }),
      }),
    );
    const header = `${computeKeyId(ed25519PublicKey(seed))}:${Buffer.from(ed25519Sign(seed, body)).toString('base64')}`;
    const at = new Date(d.at);
    const clock: Clock = { now: () => new Date(Math.min(at.getTime(), ports.clock.now().getTime())) };
    try {
      const r = await submitDeclaration({ ...ports, clock }, await submitterOf(ports, d.org), {
        body,
        format: 'json',
        signatureHeader: header,
      });
      if (d.key !== undefined) ids.set(d.key, r.id);
      accepted++;
    } catch (err) {
      refused++;
      ports.logger.warn(
        { declaration: `${d.org}:${d.article}:${d.period.from}`, err },
        'demo declaration refused',
      );
    }
  }
  return { accepted, refused };
}
