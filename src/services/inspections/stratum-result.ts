import { findingsFromVerification, type MethodErrors } from '../../domain/inspections/index.js';
import type { InspectionsRepo } from '../../store/inspections.repo.js';
import type { InspectionItemRow, InspectionRow, InspectionStratumRow } from '../../store/schema.types.js';
import type { Random } from '../ports.js';
import { notFound } from './access.js';
import { type FindingCandidate, insertFindings } from './findings.js';
import type { StratumResult } from './inspections.types.js';
import { parseList } from './rows.js';

interface Tested {
  readonly itemTests: StratumResult['itemTests'];
  readonly dStatistic: StratumResult['dStatistic'];
  readonly candidates: readonly FindingCandidate[];
}

/** The variables tests of the measured items (domain.md §6), when there are any to test. */
function testMeasured(
  s: InspectionStratumRow,
  items: readonly InspectionItemRow[],
  mbas: readonly string[],
): Tested {
  const measured = items.flatMap((it) =>
    it.measured === null ? [] : [{ id: it.item_id, declared: it.declared, measured: it.measured }],
  );
  if (measured.length === 0 || measured.length > s.population) {
    return { itemTests: [], dStatistic: null, candidates: [] };
  }
  const v = findingsFromVerification({
    stratum: s.stratum,
    population: s.population,
    items: measured,
    operator: operatorErrors(s),
    inspector: inspectorErrors(s),
    ...(s.goal_quantity === null ? {} : { goalQuantity: s.goal_quantity }),
  });
  const candidates = v.findings.map(
    (f): FindingCandidate => ({
      key: f.key,
      type: f.type,
      severity: f.severity,
      stratum: s.stratum,
      items: JSON.stringify(f.items),
      mbas: JSON.stringify(mbas),
      value: f.value,
      sigma: f.sigma,
      description:
        f.items.length === 1 && !f.key.endsWith(':D')
          ? `item ${f.items[0]}: d = ${f.value.toFixed(3)} (σ = ${f.sigma.toFixed(3)}, ${(Math.abs(f.value) / (f.sigma || 1)).toFixed(1)}σ)`
          : `stratum ${s.stratum}: D = ${f.value.toFixed(3)} (σ_D = ${f.sigma.toFixed(3)}) over ${f.items.length} items`,
      source: 'verification',
    }),
  );
  return { itemTests: v.itemTests, dStatistic: v.dStatistic, candidates };
}

/**
 * Custos decides: a missing item is a gross defect (domain.md §6: "item empty"), a broken seal
 * a medium-severity anomaly; both are attribute results, independent of the variables tests.
 */
function attributeFindings(
  stratum: string,
  items: readonly InspectionItemRow[],
  mbas: readonly string[],
): FindingCandidate[] {
  const out: FindingCandidate[] = [];
  const finding = (type: string, severity: 'high' | 'medium', itemId: string, description: string) =>
    out.push({
      key: `${stratum}:${type}:${itemId}`,
      type,
      severity,
      stratum,
      items: JSON.stringify([itemId]),
      mbas: JSON.stringify(mbas),
      value: null,
      sigma: null,
      description,
      source: 'verification',
    });
  for (const it of items) {
    if (it.present === 0) finding('item-absent', 'high', it.item_id, `item ${it.item_id} not found`);
    if (it.seal_intact === 0) {
      finding('seal-broken', 'medium', it.item_id, `seal on item ${it.item_id} not intact`);
    }
  }
  return out;
}

function operatorErrors(s: InspectionStratumRow): MethodErrors {
  return { random: s.operator_random, systematic: s.operator_systematic };
}

function inspectorErrors(s: InspectionStratumRow): MethodErrors {
  return { random: s.inspector_random, systematic: s.inspector_systematic };
}

/**
 * A stratum's items, tests and findings. Given `made` (a write), the findings the tests and the
 * attribute checks give are stored first, so the answer lists them with their ids.
 */
export async function computeStratumResult(
  repo: InspectionsRepo,
  row: InspectionRow,
  stratum: string,
  made?: { readonly random: Random; readonly at: string; readonly by: string },
): Promise<StratumResult> {
  const s = await repo.getStratum(row.id, stratum);
  if (!s) return notFound();
  const items = await repo.listItems(row.id, stratum);
  const mbas = s.mba !== null ? [s.mba] : parseList(row.mbas);
  const tested = testMeasured(s, items, mbas);
  const candidates = [...tested.candidates, ...attributeFindings(stratum, items, mbas)];
  if (made !== undefined) await insertFindings(repo, row, candidates, made);
  const keys = new Set(candidates.map((c) => c.key));
  const findings = (await repo.listFindings(row.id)).filter((f) => keys.has(f.key)).map((f) => f.id);
  return {
    stratum,
    mba: s.mba,
    activity: s.activity,
    recordedBy: [...new Set(items.map((it) => it.recorded_org))].sort(),
    population: s.population,
    operator: operatorErrors(s),
    inspector: inspectorErrors(s),
    goalQuantity: s.goal_quantity,
    samplingPlanId: s.sampling_draw_id,
    items: items.map((it) => ({
      itemId: it.item_id,
      declared: it.declared,
      measured: it.measured,
      present: it.present === null ? null : it.present === 1,
      sealIntact: it.seal_intact === null ? null : it.seal_intact === 1,
      recordedOrg: it.recorded_org,
    })),
    itemTests: tested.itemTests,
    dStatistic: tested.dStatistic,
    findings,
  };
}
