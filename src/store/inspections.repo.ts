import type { InspectionType } from '../domain/inspections/index.js';
import type { DbOrTx } from './db.js';
import type {
  InspectionActivityRow,
  InspectionFindingRow,
  InspectionItemRow,
  InspectionRow,
  InspectionStatementRow,
  InspectionStratumRow,
  InspectorDesignationRow,
  SamplingDrawRow,
} from './schema.types.js';

/** One of an inspection's planned activities and the inspectorate that does it. */
type ActivityAssignmentRow = Omit<InspectionActivityRow, 'inspection_id'>;
/** What a stratum definition sets; the key and the attribution are given apart. */
export type StratumValues = Omit<
  InspectionStratumRow,
  'inspection_id' | 'stratum' | 'created_at' | 'created_by'
>;

// Reads and deletes by id and inserts go in chunks: 500 ids per `in (…)` and 200 rows × 10
// columns per insert stay well under SQLite's 32 766 and PostgreSQL's 65 535 bind parameters.
const IN_CHUNK = 500;
const INSERT_CHUNK = 200;

/**
 * The starts around a year (`starts_at` as written, with its offset): from the last day of the
 * year before to the first of the year after, so no start of the UTC year is missed.
 */
const yearStart = (year: number) => `${String(year - 1).padStart(4, '0')}-12-31`;
const yearEnd = (year: number) => `${String(year + 1).padStart(4, '0')}-01-02`;

/** Inspections and their planned activities ("one job, one person"). */
function inspectionQueries(q: DbOrTx) {
  return {
    async getInspection(id: string): Promise<InspectionRow | undefined> {
      return q.selectFrom('inspections').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /**
     * The inspections of a facility of the given types starting around a year (unordered): from
     * the last day of the year before to the first of the year after, so a start written with an
     * offset is not missed; the caller keeps those of its UTC year. Not the facility's whole history.
     */
    async listInspectionsOfFacility(
      facility: string,
      types: readonly InspectionType[],
      year: number,
    ): Promise<InspectionRow[]> {
      return q
        .selectFrom('inspections')
        .selectAll()
        .where('facility', '=', facility)
        .where('type', 'in', [...types])
        .where('starts_at', '>=', yearStart(year))
        .where('starts_at', '<', yearEnd(year))
        .execute();
    },
    /**
     * `listInspectionsOfFacility` for many facility-years at once (a page of inspections, each
     * with its facility's routine effort): one statement, each year with the same margins.
     */
    async listInspectionsOfFacilityYears(
      years: readonly { readonly facility: string; readonly year: number }[],
      types: readonly InspectionType[],
    ): Promise<InspectionRow[]> {
      if (years.length === 0) return [];
      return q
        .selectFrom('inspections')
        .selectAll()
        .where('type', 'in', [...types])
        .where((eb) =>
          eb.or(
            years.map((y) =>
              eb.and([
                eb('facility', '=', y.facility),
                eb('starts_at', '>=', yearStart(y.year)),
                eb('starts_at', '<', yearEnd(y.year)),
              ]),
            ),
          ),
        )
        .execute();
    },
    async insertInspection(row: InspectionRow): Promise<void> {
      await q.insertInto('inspections').values(row).execute();
    },
    async updateSchedule(
      id: string,
      schedule: Pick<
        InspectionRow,
        'starts_at' | 'notice_given_at' | 'notice_terms' | 'required_notice_hours'
      >,
    ): Promise<void> {
      await q.updateTable('inspections').set(schedule).where('id', '=', id).execute();
    },
    async markArrived(id: string, arrivedAt: string): Promise<void> {
      await q
        .updateTable('inspections')
        .set({ arrived_at: arrivedAt, status: 'in-progress' })
        .where('id', '=', id)
        .execute();
    },

    async listActivities(inspectionId: string): Promise<ActivityAssignmentRow[]> {
      return q
        .selectFrom('inspection_activities')
        .select(['activity', 'inspectorate'])
        .where('inspection_id', '=', inspectionId)
        .orderBy('activity')
        .execute();
    },
    /** The activities of many inspections (a page's), each one's in the order of listActivities. */
    async listActivitiesOf(inspectionIds: readonly string[]): Promise<Map<string, ActivityAssignmentRow[]>> {
      const out = new Map<string, ActivityAssignmentRow[]>();
      for (let i = 0; i < inspectionIds.length; i += IN_CHUNK) {
        const rows = await q
          .selectFrom('inspection_activities')
          .select(['inspection_id', 'activity', 'inspectorate'])
          .where('inspection_id', 'in', inspectionIds.slice(i, i + IN_CHUNK))
          .orderBy('inspection_id')
          .orderBy('activity')
          .execute();
        for (const { inspection_id, ...r } of rows) {
          const list = out.get(inspection_id);
          if (list) list.push(r);
          else out.set(inspection_id, [r]);
        }
      }
      return out;
    },
    async replaceActivities(inspectionId: string, rows: readonly ActivityAssignmentRow[]): Promise<void> {
      await q.deleteFrom('inspection_activities').where('inspection_id', '=', inspectionId).execute();
      if (rows.length === 0) return;
      await q
        .insertInto('inspection_activities')
        .values(
          rows.map((r) => ({
            inspection_id: inspectionId,
            activity: r.activity,
            inspectorate: r.inspectorate,
          })),
        )
        .execute();
    },
  };
}

/** Sampling draws (domain.md §6). */
function samplingQueries(q: DbOrTx) {
  return {
    async getDraw(id: string): Promise<SamplingDrawRow | undefined> {
      return q.selectFrom('sampling_draws').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insertDraw(row: SamplingDrawRow): Promise<void> {
      await q.insertInto('sampling_draws').values(row).execute();
    },
    async listDrawIds(): Promise<string[]> {
      return (await q.selectFrom('sampling_draws').select('id').execute()).map((r) => r.id);
    },
  };
}

/** Strata and their item results (verification data, domain.md §6). */
function verificationQueries(q: DbOrTx) {
  return {
    async getStratum(inspectionId: string, stratum: string): Promise<InspectionStratumRow | undefined> {
      return q
        .selectFrom('inspection_strata')
        .selectAll()
        .where('inspection_id', '=', inspectionId)
        .where('stratum', '=', stratum)
        .executeTakeFirst();
    },
    async listStratumNames(inspectionId: string): Promise<string[]> {
      const rows = await q
        .selectFrom('inspection_strata')
        .select('stratum')
        .where('inspection_id', '=', inspectionId)
        .orderBy('stratum')
        .execute();
      return rows.map((r) => r.stratum);
    },
    async insertStratum(row: InspectionStratumRow): Promise<void> {
      await q.insertInto('inspection_strata').values(row).execute();
    },
    async updateStratum(inspectionId: string, stratum: string, values: StratumValues): Promise<void> {
      await q
        .updateTable('inspection_strata')
        .set(values)
        .where('inspection_id', '=', inspectionId)
        .where('stratum', '=', stratum)
        .execute();
    },
    async listItems(inspectionId: string, stratum: string): Promise<InspectionItemRow[]> {
      return q
        .selectFrom('inspection_items')
        .selectAll()
        .where('inspection_id', '=', inspectionId)
        .where('stratum', '=', stratum)
        .orderBy('item_id')
        .execute();
    },
    /** Replaces the stratum's results for these items (a correction re-records an item). */
    async replaceItems(
      inspectionId: string,
      stratum: string,
      rows: readonly InspectionItemRow[],
    ): Promise<void> {
      const ids = rows.map((r) => r.item_id);
      for (let i = 0; i < ids.length; i += IN_CHUNK) {
        await q
          .deleteFrom('inspection_items')
          .where('inspection_id', '=', inspectionId)
          .where('stratum', '=', stratum)
          .where('item_id', 'in', ids.slice(i, i + IN_CHUNK))
          .execute();
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await q
          .insertInto('inspection_items')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
      }
    },
    async countMeasuredItems(inspectionId: string, stratum: string): Promise<number> {
      const row = await q
        .selectFrom('inspection_items')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('inspection_id', '=', inspectionId)
        .where('stratum', '=', stratum)
        .where('measured', 'is not', null)
        .executeTakeFirstOrThrow();
      // pg answers count(*) as a bigint string.
      return Number(row.n);
    },
  };
}

/** Findings, from verification or stated by hand, and the case each opened. */
function findingQueries(q: DbOrTx) {
  return {
    /** In the order they were found (creation time, then id). */
    async listFindings(inspectionId: string): Promise<InspectionFindingRow[]> {
      return q
        .selectFrom('inspection_findings')
        .selectAll()
        .where('inspection_id', '=', inspectionId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async getFinding(inspectionId: string, id: string): Promise<InspectionFindingRow | undefined> {
      return q
        .selectFrom('inspection_findings')
        .selectAll()
        .where('inspection_id', '=', inspectionId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /** The keys of the inspection's findings: a recomputed verification adds only new ones. */
    async listFindingKeys(inspectionId: string): Promise<Set<string>> {
      const rows = await q
        .selectFrom('inspection_findings')
        .select('key')
        .where('inspection_id', '=', inspectionId)
        .execute();
      return new Set(rows.map((r) => r.key));
    },
    async insertFinding(row: InspectionFindingRow): Promise<void> {
      await q.insertInto('inspection_findings').values(row).execute();
    },
    async setFindingCase(id: string, caseId: string): Promise<void> {
      await q.updateTable('inspection_findings').set({ case_id: caseId }).where('id', '=', id).execute();
    },
  };
}

/** Each inspectorate's signed statement. */
function statementQueries(q: DbOrTx) {
  return {
    async getStatement(
      inspectionId: string,
      organisationId: string,
    ): Promise<InspectionStatementRow | undefined> {
      return q
        .selectFrom('inspection_statements')
        .selectAll()
        .where('inspection_id', '=', inspectionId)
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst();
    },
    /** One per signing inspectorate, ordered by organisation. */
    async listStatements(inspectionId: string): Promise<InspectionStatementRow[]> {
      return q
        .selectFrom('inspection_statements')
        .selectAll()
        .where('inspection_id', '=', inspectionId)
        .orderBy('organisation_id')
        .execute();
    },
    async insertStatement(row: InspectionStatementRow): Promise<void> {
      await q.insertInto('inspection_statements').values(row).execute();
    },
    async listStatementKeys(): Promise<{ inspection_id: string; organisation_id: string }[]> {
      return q.selectFrom('inspection_statements').select(['inspection_id', 'organisation_id']).execute();
    },
  };
}

/** Inspector designations (INFCIRC/153 para 85). */
function designationQueries(q: DbOrTx) {
  return {
    async getDesignation(id: string): Promise<InspectorDesignationRow | undefined> {
      return q.selectFrom('inspector_designations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insertDesignation(row: InspectorDesignationRow): Promise<void> {
      await q.insertInto('inspector_designations').values(row).execute();
    },
    async recordDesignationDecision(
      id: string,
      answer: Pick<InspectorDesignationRow, 'decision' | 'decided_on' | 'decided_by'>,
    ): Promise<void> {
      await q.updateTable('inspector_designations').set(answer).where('id', '=', id).execute();
    },
  };
}

/**
 * The inspections aggregate (issue 7; migration 0006): inspections with their activities,
 * sampling draws, strata and items, findings, signed statements, and inspector designations.
 * Bound to a database or to a transaction, so the caller chooses the unit of work:
 * `createInspectionsRepo(tx)` inside `db.kysely.transaction().execute(…)`.
 */
export function createInspectionsRepo(q: DbOrTx) {
  return {
    ...inspectionQueries(q),
    ...samplingQueries(q),
    ...verificationQueries(q),
    ...findingQueries(q),
    ...statementQueries(q),
    ...designationQueries(q),
  };
}

export type InspectionsRepo = ReturnType<typeof createInspectionsRepo>;

/**
 * How many inspections of `state` were carried out in `year`: the inspectors arrived (arrived_at
 * in the year). The annual conclusion's basis.
 */
export async function countInspectionsCarriedOut(q: DbOrTx, state: string, year: number): Promise<number> {
  const r = await q
    .selectFrom('inspections')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('state', '=', state)
    .where('arrived_at', '>=', `${year}-01-01`)
    .where('arrived_at', '<', `${year + 1}-01-01`)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
