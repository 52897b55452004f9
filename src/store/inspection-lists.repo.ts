import { type SqlBool, sql } from 'kysely';
import { type DbOrTx, isPostgres } from './db.js';
import { countOf } from './paging.js';
import type { InspectionRow, InspectorDesignationRow } from './schema.types.js';

/**
 * GET /api/inspections and GET /api/designations paged in SQL (docs/decisions/0090): who sees
 * which row is decided by the statement, so a page reads its own rows and a count, whatever the
 * agency's decades of inspections hold. The rules are the service's (services/inspections
 * access.ts `listedFor`); this file is only their SQL.
 */

export interface ListWindow {
  readonly limit: number;
  readonly offset: number;
}

export interface InspectionListFilter {
  /** The states the caller sees, or every state. */
  readonly states: 'all' | readonly string[];
  /** Only inspections this organisation takes part in (an inspectorate's list). */
  readonly participant?: string | undefined;
  /** Leave out unannounced inspections whose team has not arrived yet (a state's list). */
  readonly hideUnarrivedUnannounced?: boolean | undefined;
  readonly state?: string | undefined;
  readonly facility?: string | undefined;
  /** Starts on or after this date, as the start is written (its own offset). */
  readonly from?: string | undefined;
  /** Starts before this date, as the start is written. */
  readonly to?: string | undefined;
}

/**
 * `participants` is a JSON array of organisation ids (written by scheduling from validated codes),
 * read by rows.ts `parseList`. The test is on the parsed array, never on the text: a substring
 * (`like '%"agency"%'`) would be case-blind on SQLite, would read `_` in an id as a wildcard, and
 * could match inside another element. Only string elements of an array match, as `parseList` of a
 * non-array is empty; PostgreSQL's `?` likewise matches string elements only.
 */
function takesPart(q: DbOrTx, organisation: string) {
  return isPostgres(q)
    ? sql<SqlBool>`(jsonb_typeof(inspections.participants::jsonb) = 'array'
        and inspections.participants::jsonb ? ${organisation})`
    : sql<SqlBool>`(json_type(inspections.participants) = 'array' and exists (
        select 1 from json_each(inspections.participants) as p
        where p.type = 'text' and p.value = ${organisation}))`;
}

function inspectionsShown(q: DbOrTx, f: InspectionListFilter) {
  let s = q.selectFrom('inspections');
  if (f.states !== 'all') s = s.where('state', 'in', f.states);
  if (f.state !== undefined) s = s.where('state', '=', f.state);
  if (f.facility !== undefined) s = s.where('facility', '=', f.facility);
  if (f.from !== undefined) s = s.where('starts_at', '>=', f.from);
  if (f.to !== undefined) s = s.where('starts_at', '<', f.to);
  if (f.participant !== undefined) s = s.where(takesPart(q, f.participant));
  if (f.hideUnarrivedUnannounced) {
    s = s.where((eb) => eb.or([eb('type', '<>', 'unannounced'), eb('arrived_at', 'is not', null)]));
  }
  return s;
}

/** A page of the inspections the filter shows, by start then id, and how many it shows in all. */
export async function pageInspections(
  q: DbOrTx,
  f: InspectionListFilter,
  w: ListWindow,
): Promise<{ rows: InspectionRow[]; total: number }> {
  if (f.states !== 'all' && f.states.length === 0) return { rows: [], total: 0 };
  const rows = await inspectionsShown(q, f)
    .selectAll()
    .orderBy('starts_at')
    .orderBy('id')
    .limit(w.limit)
    .offset(w.offset)
    .execute();
  const counted = await inspectionsShown(q, f)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirst();
  return { rows, total: countOf(counted) };
}

export interface DesignationListFilter {
  /** The states the caller sees, or every state. */
  readonly states: 'all' | readonly string[];
  /** Only this inspectorate's proposals (an inspectorate's list, whatever its scope). */
  readonly inspectorate?: string | undefined;
  readonly state?: string | undefined;
}

function designationsShown(q: DbOrTx, f: DesignationListFilter) {
  let s = q.selectFrom('inspector_designations');
  if (f.states !== 'all') s = s.where('state', 'in', f.states);
  if (f.inspectorate !== undefined) s = s.where('inspectorate', '=', f.inspectorate);
  if (f.state !== undefined) s = s.where('state', '=', f.state);
  return s;
}

/** A page of the designations the filter shows, in the order they were proposed, and the count. */
export async function pageDesignations(
  q: DbOrTx,
  f: DesignationListFilter,
  w: ListWindow,
): Promise<{ rows: InspectorDesignationRow[]; total: number }> {
  if (f.states !== 'all' && f.states.length === 0) return { rows: [], total: 0 };
  const rows = await designationsShown(q, f)
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .limit(w.limit)
    .offset(w.offset)
    .execute();
  const counted = await designationsShown(q, f)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirst();
  return { rows, total: countOf(counted) };
}
