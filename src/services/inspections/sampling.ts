import { computeSamplingPlan, drawSample } from '../../domain/inspections/index.js';
import { problemOf } from '../../domain/particulars.js';
import { isGlobalAdmin, type Principal } from '../../domain/policy/index.js';
import { createInspectionsRepo } from '../../store/inspections.repo.js';
import { createRecordsRepo } from '../../store/records.repo.js';
import type { InspectionRow, SamplingDrawRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';
import { createInspectionAccess, invalid, notFound } from './access.js';
import { randomHex } from './ids.js';
import type { SamplingAnswer, SamplingRequest } from './inspections.types.js';
import { drawContent, parseList, toSamplingAnswer } from './rows.js';

/**
 * The view of a sampling draw and of its log record (issue 15 item 1): the seed and the sample
 * are the inspectorate's until the inspection, so only those who may work on its inspection (or
 * the organisation that drew a free-standing plan) read them; anyone else gets 404.
 */
export function createDrawView(ports: Pick<Ports, 'db'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  const access = createInspectionAccess(ports);
  return async function readableDraw(p: Principal, id: string): Promise<SamplingDrawRow> {
    enforce(p, 'inspect', await scopeOf(ports, p));
    const draw = await repo.getDraw(id);
    if (!draw) return notFound();
    if (draw.inspection_id !== null) await access(p, draw.inspection_id, 'write');
    else if (!isGlobalAdmin(p) && draw.organisation_id !== p.organisationId) notFound();
    return draw;
  };
}

/**
 * Sampling plans (domain.md §6): the sample size for a stratum, and with the item ids a seeded
 * draw committed to the log, so anyone can re-draw the sample and see it was not chosen by hand.
 */
export function createSamplingService(ports: Pick<Ports, 'db' | 'clock' | 'random'>) {
  const k = ports.db.kysely;
  const records = createRecordsRepo(ports.db);
  const access = createInspectionAccess(ports);

  const readableDraw = createDrawView(ports);
  return {
    async createSamplingPlan(p: Principal, input: SamplingRequest): Promise<SamplingAnswer> {
      let row: InspectionRow | undefined;
      if (input.inspectionId !== undefined) row = (await access(p, input.inspectionId, 'write')).row;
      else enforce(p, 'inspect', await scopeOf(ports, p));
      const plan = computeSamplingPlan(input);
      if (input.itemIds === undefined) {
        return {
          sampleSize: plan.sampleSize,
          defectsToDetect: plan.defectsToDetect,
          method: plan.method,
          detectionProbability: plan.detectionProbability,
        };
      }
      if (input.itemIds.length !== input.population) {
        invalid('itemIds must list the whole population', [
          {
            field: 'itemIds',
            ...problemOf('COUNT_MISMATCH', { found: input.itemIds.length, population: input.population }),
            message: `${input.itemIds.length} ids for N = ${input.population}`,
          },
        ]);
      }
      const seed = input.seed ?? randomHex(ports.random, 16);
      const sample = drawSample(input.itemIds, plan.sampleSize, seed);
      const at = isoNow(ports.clock);
      const draw: SamplingDrawRow = {
        id: `spl-${randomHex(ports.random, 6)}`,
        inspection_id: row?.id ?? null,
        organisation_id: p.organisationId,
        state: row?.state ?? null,
        population: input.population,
        average_content: input.averageContent,
        goal_quantity: input.goalQuantity,
        non_detection_probability: input.nonDetectionProbability,
        defect_level: input.defectLevel,
        sample_size: plan.sampleSize,
        defects_to_detect: plan.defectsToDetect,
        method: plan.method,
        seed,
        item_ids: JSON.stringify(input.itemIds),
        sample: JSON.stringify(sample),
        created_at: at,
        created_by: p.userId,
      };
      const logIndex = await k.transaction().execute(async (tx) => {
        await createInspectionsRepo(tx).insertDraw(draw);
        return appendRecord(tx, ports, {
          kind: 'sampling-draw',
          id: `sampling-draw:${draw.id}`,
          content: drawContent(draw),
          subjectState: draw.state,
          subjectOrg: draw.organisation_id,
          at,
          by: p.userId,
        });
      });
      return toSamplingAnswer(draw, plan.detectionProbability, logIndex);
    },

    async getSamplingPlan(p: Principal, id: string): Promise<SamplingAnswer & { itemIds: string[] }> {
      const draw = await readableDraw(p, id);
      const plan = computeSamplingPlan({
        population: draw.population,
        averageContent: draw.average_content,
        goalQuantity: draw.goal_quantity,
        nonDetectionProbability: draw.non_detection_probability,
        defectLevel: draw.defect_level,
      });
      const logIndex = (await records.find(`sampling-draw:${id}`))?.log_index;
      return {
        ...toSamplingAnswer(draw, plan.detectionProbability, logIndex),
        itemIds: parseList(draw.item_ids),
      };
    },
  };
}
