import { addCaseNote } from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { insertAttachmentOnce, insertMessage } from '../../store/cases.repo.js';
import type { CaseMessageRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { checkAttachments } from './attachments.js';
import type { CaseView, MessageInput } from './cases.types.js';
import { messageContent, messageRecordId } from './content.js';
import { publishCaseEvent } from './events.js';
import { claimSeq } from './lifecycle.js';
import { actorOf, type CaseReader } from './visibility.js';

/**
 * Messages on a case's thread (domain/cases addCaseNote): a note, internal or not, with its
 * attachments, committed to the log. Internal notes stay with the owning inspectorate.
 */
export function createCaseMessages(
  ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events' | 'logger'>,
  reader: CaseReader,
) {
  return async function postMessage(p: Principal, id: string, req: MessageInput): Promise<CaseView> {
    const { c, scope } = await reader.visibleCase(p, id);
    const actor = actorOf(p, scope, c);
    const at = isoNow(ports.clock);
    const files = checkAttachments(req.attachments);
    const next = addCaseNote(c, {
      actor,
      text: req.text,
      at,
      ...(req.internal === undefined ? {} : { internal: req.internal }),
    });
    const note = next.history[next.history.length - 1]?.note;
    if (!note) throw new DomainError('INTERNAL', 'message produced no note');
    const row: CaseMessageRow = {
      case_id: c.id,
      seq: c.eventCount,
      at,
      by: p.userId,
      actor_kind: actor.kind,
      actor_org: p.organisationId,
      body: note.text,
      internal: note.internal ? 1 : 0,
      attachments: JSON.stringify(files.map((f) => f.ref)),
    };
    await ports.db.kysely.transaction().execute(async (tx) => {
      await claimSeq(tx, c, {}, at);
      for (const f of files) {
        await insertAttachmentOnce(tx, {
          hash: f.ref.hash,
          content_type: f.ref.contentType,
          size: f.ref.size,
          bytes: f.bytes,
          created_at: at,
          created_by: p.userId,
        });
      }
      await insertMessage(tx, row);
      await appendRecord(tx, ports, {
        kind: 'case-message',
        id: messageRecordId(c.id, row.seq),
        content: messageContent(row),
        subjectState: c.state,
        subjectOrg: c.inspectorate,
        at,
        by: p.userId,
      });
    });
    // Live threads: everyone who sees the case hears of a new message; an internal note is not
    // announced, since the state must not learn that one exists.
    if (!note.internal)
      await publishCaseEvent(ports, { ...c, updatedAt: at }, 'case.message', { seq: row.seq });
    return reader.get(p, id);
  };
}
