import {
  alarmCaseTitle,
  type CaseAlarm,
  caseKeyForAlarm,
  caseKindForAlarm,
} from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import { Pacer } from '../../store/bulk.js';
import { findCaseIdByKey, findTakenCaseKeys, listInspectoratesOfState } from '../../store/cases.repo.js';
import { isoNow, type Ports } from '../ports.js';
import type { CaseAbout, StoredCase } from './cases.types.js';
import { publishCaseEvent } from './events.js';
import { insertCase, newCaseId } from './opening.js';
import { loadWrittenCase } from './stored-case.js';

export interface OpenForAlarmOptions {
  /** The owning inspectorate; default: see `defaultInspectorate`. */
  readonly inspectorate?: string;
  readonly mba?: string;
  readonly title?: string;
  /** Extra references (report, lines, period) beyond what the alarm itself names. */
  readonly about?: CaseAbout;
  readonly note?: string;
  /** The user id the opening is attributed to; default `system`. */
  readonly by?: string;
}

/**
 * The inspectorate that owns an automatically opened case: among the inspectorates party to an
 * agreement in force with the state, an international inspectorate before a regional one, then
 * by id (the demo: the agency owns, the regional authority reads it as a partner for XA and XB).
 */
async function defaultInspectorate(ports: Pick<Ports, 'db'>, state: string): Promise<string | undefined> {
  const rows = await listInspectoratesOfState(ports.db.kysely, state);
  const rank = (kind: string) => (kind === 'inspectorate' ? 0 : 1);
  rows.sort((a, b) => rank(a.kind) - rank(b.kind) || a.id.localeCompare(b.id));
  return rows[0]?.id;
}

function aboutAlarm(alarm: CaseAlarm): { about: CaseAbout; mba?: string } {
  switch (alarm.source) {
    case 'balance':
    case 'sequence':
      return {
        mba: alarm.mba,
        about: {
          element: alarm.element,
          period: { from: alarm.pit, to: alarm.pit },
          alarm: { source: alarm.source, test: alarm.test },
        },
      };
    case 'srd':
      return {
        about: { transfer: alarm.transfer, alarm: { source: 'srd' } },
      };
    case 'transfer-unmatched':
      return {
        about: { transfer: alarm.transfer, alarm: { source: 'transfer-unmatched' } },
      };
    case 'notice':
      return {
        about: { transfer: alarm.transfer, alarm: { source: 'notice', finding: alarm.finding } },
      };
    case 'deadline':
      return {
        about: { obligation: alarm.obligation, alarm: { source: 'deadline', status: alarm.status } },
      };
    case 'seal':
      return {
        about: { seal: alarm.seal, alarm: { source: 'seal', event: alarm.event, since: alarm.since } },
      };
    case 'verification':
      return {
        about: { inspection: alarm.inspection, finding: alarm.finding, alarm: { source: 'verification' } },
      };
    case 'compatibility':
      return {
        about: { provision: alarm.provision, alarm: { source: 'compatibility' } },
      };
    case 'device':
      return {
        about: { seal: alarm.device, alarm: { source: 'device', code: alarm.code, at: alarm.at } },
      };
    case 'declaration':
      return {
        about: {
          declaration: alarm.item,
          alarm: { source: 'declaration', check: alarm.check, finding: alarm.finding },
        },
      };
    case 'split-view':
      return {
        about: { alarm: { source: 'split-view', origin: alarm.origin, splitView: alarm.splitView } },
      };
  }
}

/**
 * Open the case for an alarm, once per cause (caseKeyForAlarm): calling it again, from a
 * re-evaluation or concurrently from another process, answers the existing case with
 * `created: false`. For the evaluation engine, missed deadlines and inspection findings.
 */
export async function openCaseForAlarm(
  ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events' | 'logger'>,
  alarm: CaseAlarm,
  options: OpenForAlarmOptions = {},
): Promise<{ case: StoredCase; created: boolean }> {
  const key = caseKeyForAlarm(alarm);
  const k = ports.db.kysely;
  const existing = await findCaseIdByKey(k, key);
  if (existing !== undefined) return { case: await loadWrittenCase(k, existing), created: false };
  const inspectorate = options.inspectorate ?? (await defaultInspectorate(ports, alarm.state));
  if (!inspectorate) {
    throw new DomainError(
      'UNKNOWN_REFERENCE',
      `no inspectorate has an agreement in force with ${alarm.state}`,
    );
  }
  const described = aboutAlarm(alarm);
  const mba = options.mba ?? described.mba;
  const id = newCaseId(ports.random);
  const created = await k.transaction().execute((tx) =>
    insertCase(tx, ports, {
      id,
      key,
      kind: caseKindForAlarm(alarm),
      state: alarm.state,
      inspectorate,
      // The English title the record keeps; the browser words the same code and values itself.
      title: options.title ?? alarmCaseTitle(described.about, described.mba)?.text ?? key,
      about: { ...described.about, ...options.about },
      by: options.by ?? 'system',
      actorOrg: inspectorate,
      at: isoNow(ports.clock),
      ...(mba === undefined ? {} : { mba }),
      ...(options.note === undefined ? {} : { note: options.note }),
    }),
  );
  // Not created: another evaluation opened it first; answer that one.
  const winner = await findCaseIdByKey(k, key);
  if (winner === undefined) throw new DomainError('INTERNAL', `no case for ${key} after opening it`);
  const c = await loadWrittenCase(k, winner);
  if (created) await publishCaseEvent(ports, c, 'case.opened', { alarm: key });
  return { case: c, created };
}

/** Shared by every pass of this process: it only reads the clock. */
const passPacer = new Pacer();

/**
 * For the passes that open the cases of many alarms at once (evaluation, deadlines, devices, split
 * views), which only need to know whether a case was opened. On SQLite every statement is
 * synchronous and Kysely's promises resolve as microtasks, so a loop of openCaseForAlarm calls
 * never let the event loop run: a report whose 100 000 transfer lines became unmatched opened
 * 100 000 cases in one stretch of minutes during which the node answered no request, not even
 * /healthz (found replaying the scale bench at 10 M lines). Here the event loop gets a turn every
 * few milliseconds, and an alarm whose case exists costs one indexed read, not the case loaded whole.
 */
export async function ensureCaseForAlarm(
  ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events' | 'logger'>,
  alarm: CaseAlarm,
  options: OpenForAlarmOptions = {},
): Promise<boolean> {
  if (passPacer.due()) await passPacer.pause();
  if ((await findCaseIdByKey(ports.db.kysely, caseKeyForAlarm(alarm))) !== undefined) return false;
  return (await openCaseForAlarm(ports, alarm, options)).created;
}

/**
 * The alarms of `items`, in order and without those `skip` names, each with its case key and
 * whether a case has it already: asked once per 500 alarms, so a pass over an MBA's or a State's
 * thousands of standing alarms costs a statement per batch, not one per alarm.
 */
export async function* withCaseKeys<T extends { readonly alarm: CaseAlarm }>(
  ports: Pick<Ports, 'db'>,
  items: readonly T[],
  skip: (key: string) => boolean = () => false,
): AsyncGenerator<{ readonly item: T; readonly key: string; readonly taken: boolean }> {
  for (let i = 0; i < items.length; i += 500) {
    const batch = items
      .slice(i, i + 500)
      .map((item) => ({ item, key: caseKeyForAlarm(item.alarm) }))
      .filter((b) => !skip(b.key));
    const taken = await findTakenCaseKeys(
      ports.db.kysely,
      batch.map((b) => b.key),
    );
    for (const b of batch) yield { ...b, taken: taken.has(b.key) };
  }
}
