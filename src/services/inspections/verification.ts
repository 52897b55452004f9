import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import { JOINT_ACTIVITIES, type JointActivity } from '../../domain/inspections/index.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import {
  createInspectionsRepo,
  type InspectionsRepo,
  type StratumValues,
} from '../../store/inspections.repo.js';
import type { InspectionItemRow, InspectionRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { createInspectionAccess, invalid, notFound } from './access.js';
import type { ItemInput, StratumInput, StratumResult } from './inspections.types.js';
import { checkAssignee } from './joint.js';
import { parseList } from './rows.js';
import { computeStratumResult } from './stratum-result.js';

function isJointActivity(activity: string): activity is JointActivity {
  return (JOINT_ACTIVITIES as readonly string[]).includes(activity);
}

function flag(v: boolean | null | undefined): number | null {
  return v === undefined || v === null ? null : v ? 1 : 0;
}

/** A stratum may name a logged draw of this inspection, with the same population. */
async function checkSamplingPlan(
  repo: InspectionsRepo,
  row: InspectionRow,
  planId: string,
  population: number,
): Promise<void> {
  const draw = await repo.getDraw(planId);
  if (!draw || draw.inspection_id !== row.id) {
    throw new DomainError('UNKNOWN_REFERENCE', `sampling plan ${planId} is not a draw of this inspection`);
  }
  if (draw.population !== population) {
    invalid('population differs from the sampling plan', [
      {
        field: 'population',
        ...problemOf('NOT_AS_PLANNED', { population: draw.population }),
        message: String(draw.population),
      },
    ]);
  }
}

/** Each item once; Custos decides: with a logged draw, only drawn items are verified (the draw is the audit trail). */
async function checkItems(
  repo: InspectionsRepo,
  samplingDrawId: string | null,
  items: readonly ItemInput[],
): Promise<void> {
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  let sample: Set<string> | undefined;
  if (samplingDrawId !== null) {
    const draw = await repo.getDraw(samplingDrawId);
    sample = new Set(draw ? parseList(draw.sample) : []);
  }
  items.forEach((it, i) => {
    if (seen.has(it.itemId))
      problems.push({
        field: `items[${i}].itemId`,
        ...problemOf('DUPLICATE.value', { value: it.itemId }),
        message: it.itemId,
      });
    seen.add(it.itemId);
    if (sample && !sample.has(it.itemId)) {
      problems.push({
        field: `items[${i}].itemId`,
        ...problemOf('NOT_IN_SAMPLE', { item: it.itemId }),
        message: it.itemId,
      });
    }
  });
  if (problems.length > 0) invalid(`${problems.length} problem(s) in the items`, problems);
}

/**
 * Verification data (domain.md §6): strata with their method errors, item results recorded by
 * the inspectorate assigned the activity, and the tests and findings recomputed on each write.
 */
export function createVerificationService(ports: Pick<Ports, 'db' | 'clock' | 'random'>) {
  const k = ports.db.kysely;
  const repo = createInspectionsRepo(k);
  const access = createInspectionAccess(ports);

  return {
    async defineStratum(
      p: Principal,
      id: string,
      stratum: string,
      input: StratumInput,
    ): Promise<StratumResult> {
      const { row } = await access(p, id, 'write');
      const activity = input.activity ?? 'nda-measurement';
      if (!isJointActivity(activity)) {
        return invalid('unknown activity', [
          { field: 'activity', ...problemOf('UNKNOWN_ACTIVITY', { activity }), message: activity },
        ]);
      }
      await checkAssignee(repo, p, row, activity);
      if (input.mba !== undefined && !parseList(row.mbas).includes(input.mba)) {
        throw new DomainError('UNKNOWN_MBA', `${input.mba} is not covered by this inspection`);
      }
      if (input.samplingPlanId !== undefined)
        await checkSamplingPlan(repo, row, input.samplingPlanId, input.population);
      const existing = await repo.getStratum(id, stratum);
      if (existing && existing.activity !== activity) await checkAssignee(repo, p, row, existing.activity);
      const values: StratumValues = {
        mba: input.mba ?? null,
        activity,
        population: input.population,
        operator_random: input.operator.random,
        operator_systematic: input.operator.systematic,
        inspector_random: input.inspector.random,
        inspector_systematic: input.inspector.systematic,
        goal_quantity: input.goalQuantity ?? null,
        sampling_draw_id: input.samplingPlanId ?? null,
      };
      const at = isoNow(ports.clock);
      return k.transaction().execute(async (tx) => {
        const r = createInspectionsRepo(tx);
        if (existing) await r.updateStratum(id, stratum, values);
        else
          await r.insertStratum({
            ...values,
            inspection_id: id,
            stratum,
            created_at: at,
            created_by: p.userId,
          });
        return computeStratumResult(r, row, stratum, { random: ports.random, at, by: p.userId });
      });
    },

    /** Record (or correct) item results; recomputes the stratum's tests and adds new findings. */
    async recordItems(
      p: Principal,
      id: string,
      stratum: string,
      items: readonly ItemInput[],
    ): Promise<StratumResult> {
      const { row } = await access(p, id, 'write');
      const s = await repo.getStratum(id, stratum);
      if (!s) throw new DomainError('NOT_FOUND', `stratum ${stratum} is not defined; define it first`);
      await checkAssignee(repo, p, row, s.activity);
      await checkItems(repo, s.sampling_draw_id, items);
      const at = isoNow(ports.clock);
      const rows: InspectionItemRow[] = items.map((it) => ({
        inspection_id: id,
        stratum,
        item_id: it.itemId,
        declared: it.declared,
        measured: it.measured ?? null,
        present: flag(it.present),
        seal_intact: flag(it.sealIntact),
        recorded_by: p.userId,
        recorded_org: p.organisationId ?? 'admin',
        recorded_at: at,
      }));
      return k.transaction().execute(async (tx) => {
        const r = createInspectionsRepo(tx);
        await r.replaceItems(id, stratum, rows);
        const measured = await r.countMeasuredItems(id, stratum);
        if (measured > s.population) {
          invalid('more measured items than the stratum population', [
            {
              field: 'items',
              ...problemOf('OUT_OF_RANGE.items', { population: s.population }),
              message: `${measured} > N = ${s.population}`,
            },
          ]);
        }
        return computeStratumResult(r, row, stratum, { random: ports.random, at, by: p.userId });
      });
    },

    /** Results are shared: both participants see every stratum, whoever recorded it. */
    async getVerification(p: Principal, id: string): Promise<StratumResult[]> {
      const { row, view } = await access(p, id, 'read');
      if (view === 'state') notFound();
      const out: StratumResult[] = [];
      for (const stratum of await repo.listStratumNames(id))
        out.push(await computeStratumResult(repo, row, stratum));
      return out;
    },
  };
}
