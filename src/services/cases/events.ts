import type { CaseStatus } from '../../domain/cases/index.js';
import type { Ports } from '../ports.js';
import type { StoredCase } from './cases.types.js';

/** Case events that notify (domain/notifications NOTIFICATION_EVENTS); under-review is silent. */
export const EVENT_FOR: Partial<Record<CaseStatus, string>> = {
  open: 'case.opened',
  'question-sent': 'case.question-sent',
  answered: 'case.answered',
  resolved: 'case.resolved',
  escalated: 'case.escalated',
};

function caseEventData(c: StoredCase, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    case: c.id,
    kind: c.kind,
    title: c.title,
    mba: c.mba ?? null,
    status: c.status,
    dueDate: c.dueDate ?? null,
    // The audience: the owner and its partners (the state is added from `state`).
    inspectorates: [c.inspectorate, ...c.sharedWith],
    ...extra,
  };
}

export async function publishCaseEvent(
  ports: Pick<Ports, 'events' | 'logger'>,
  c: StoredCase,
  type: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  try {
    await ports.events.publish({
      type,
      state: c.state,
      organisation: null,
      at: c.updatedAt,
      data: caseEventData(c, extra),
    });
  } catch (err) {
    // The case is committed; a lost notification is logged, never turned into a failed request.
    ports.logger.error({ err, case: c.id, type }, 'publishing a case event failed');
  }
}
