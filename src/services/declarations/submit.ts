import { createHash } from 'node:crypto';
import {
  articleSpec,
  type Declaration,
  type DeclarationItem,
  parseDeclarationJson,
  toMilli,
} from '../../domain/declarations/index.js';
import type { ErrorDetail } from '../../domain/errors.js';
import { type Particulars, problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { encodeHex } from '../../log/index.js';
import { createDeclarationsRepo, knownDeclarationAttachments } from '../../store/declarations.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { DeclarationItemRow, DeclarationRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { reject } from '../reports/refusals.js';
import { checkSignature, type Submission, signatureDetail } from '../reports/submit.js';
import { enforce, scopeOf } from '../scope.js';
import { declarationContent, declarationRecordId } from './content.js';

/** The type a refused declaration's record carries in GET /api/rejections. */
const DECLARATION_REFUSAL_TYPE = 'AP_DECLARATION';

export interface DeclarationAccepted {
  readonly id: string;
  readonly logIndex: number;
  readonly receiptUrl: string;
}

/** The columns the cross-checks join on, read from the item's fields by its article. */
function itemRow(id: string, d: Declaration, idx: number, it: DeclarationItem): DeclarationItemRow {
  const str = (k: string) => (typeof it[k] === 'string' ? (it[k] as string) : null);
  const num = (k: string) => (typeof it[k] === 'number' ? toMilli(it[k] as number) : null);
  return {
    declaration_id: id,
    idx,
    state: d.state,
    article: d.article,
    annex_ref: str('annexRef'),
    element: str('element'),
    quantity_milli: num('quantity') ?? num('quantityKg'),
    counterpart: str('destinationState') ?? str('originState'),
    item_date: str('exportDate') ?? str('importDate'),
    fields_json: JSON.stringify(it),
  };
}

/**
 * Refuse the declaration, logged as a refused report is (decision 0036): a refusal record a State
 * can cite to prove it tried, within the same hourly quota per principal (decision 0023).
 */
function refuse(
  ports: Ports,
  p: Principal,
  s: Submission,
  at: string,
  details: ErrorDetail[],
  d?: Declaration,
): Promise<never> {
  return reject(
    ports,
    p,
    {
      at,
      bodySha256: createHash('sha256').update(s.body).digest('hex'),
      details,
      report: undefined,
      header: {
        mba: null,
        type: DECLARATION_REFUSAL_TYPE,
        report_number: null,
        period_from: d?.period.from ?? null,
        period_to: d?.period.to ?? null,
        pit: null,
      },
    },
    'DECLARATION_INVALID',
  );
}

/** A supplement amends the latest declaration of its chain: same State, article and period. */
async function checkSupplement(ports: Ports, d: Declaration): Promise<ErrorDetail[]> {
  if (d.supplements === undefined) return [];
  const target = await createDeclarationsRepo(ports.db).get(d.supplements);
  const say = (p: Particulars, message: string): ErrorDetail[] => [{ field: 'supplements', ...p, message }];
  const id = d.supplements;
  // Another State's declaration is answered as unknown: its existence is not the submitter's to learn.
  if (!target || target.state !== d.state)
    return say(
      problemOf('SUPPLEMENT_TARGET_INVALID.unknown', { id, state: d.state }),
      `no declaration ${id} of ${d.state}`,
    );
  if (target.article !== d.article)
    return say(
      problemOf('SUPPLEMENT_TARGET_INVALID.article', { id, article: target.article }),
      `${id} declares article ${target.article}`,
    );
  if (target.period_from !== d.period.from || target.period_to !== d.period.to)
    return say(
      problemOf('SUPPLEMENT_TARGET_INVALID.period', { id, from: target.period_from, to: target.period_to }),
      `${id} covers ${target.period_from}..${target.period_to}`,
    );
  if (target.supplemented_by !== null)
    return say(
      problemOf('SUPPLEMENT_TARGET_INVALID.amended', { id, by: target.supplemented_by }),
      `${id} was already amended by ${target.supplemented_by}; supplement that one`,
    );
  return [];
}

/** Every file an item commits to by hash (a site map) is one its State uploaded (migration 0027). */
async function checkAttachments(ports: Ports, d: Declaration): Promise<ErrorDetail[]> {
  const fields = articleSpec(d.article)
    .fields.filter((f) => f.kind === 'attachment')
    .map((f) => f.name);
  if (fields.length === 0) return [];
  const named: { item: number; field: string; hash: string }[] = [];
  d.items.forEach((it, item) => {
    for (const field of fields)
      if (typeof it[field] === 'string') named.push({ item, field, hash: (it[field] as string).slice(7) });
  });
  const known = await knownDeclarationAttachments(
    ports.db.kysely,
    d.state,
    named.map((n) => n.hash),
  );
  return named
    .filter((n) => !known.has(n.hash))
    .map((n) => ({
      item: n.item,
      field: n.field,
      ...problemOf('ATTACHMENT_UNKNOWN', { hash: n.hash, state: d.state }),
      message: `no file sha256:${n.hash} was uploaded for ${d.state}; upload it first`,
    }));
}

/**
 * Submit one Additional Protocol declaration (issue 19 item 4): the State's signature over the
 * exact bytes (as for reports), the schema of its article with every problem at once, a
 * Protocol in force for the State, and for a supplement the declaration it amends; then in ONE
 * transaction the locked declaration, its items, its signed body and its log record.
 */
export async function submitDeclaration(
  ports: Ports,
  p: Principal,
  s: Submission,
): Promise<DeclarationAccepted> {
  const scope = await scopeOf(ports, p);
  enforce(p, 'report.submit', scope);
  const at = ports.clock.now().toISOString();
  const sig = await checkSignature(ports, p, s, at);
  const parsed = parseDeclarationJson(s.body);
  const details: ErrorDetail[] = sig.outcome === 'VALID' ? [] : [signatureDetail(sig.outcome, sig)];
  if (!parsed.ok) return refuse(ports, p, s, at, [...details, ...parsed.details]);
  const d = parsed.declaration;
  // Another State's declaration: not found, as for reports (policy: report.submit).
  enforce(p, 'report.submit', scope, { state: d.state });
  const protocol = (await createRegistryRepo(ports.db).listAgreements()).find(
    (a) =>
      a.type === 'AP' &&
      a.status === 'in-force' &&
      a.entryIntoForce <= at.slice(0, 10) &&
      a.parties.some((x) => x.kind === 'state' && x.ref === d.state),
  );
  if (!protocol)
    details.push({
      field: 'state',
      ...problemOf('NOT_ALLOWED.noProtocol', { state: d.state }),
      message: `no Additional Protocol is in force for ${d.state}`,
    });
  details.push(...(await checkSupplement(ports, d)), ...(await checkAttachments(ports, d)));
  if (details.length > 0) return refuse(ports, p, s, at, details, d);

  const id = `AP-${d.state}-${encodeHex(ports.random.bytes(8))}`;
  const row: DeclarationRow = {
    id,
    state: d.state,
    organisation_id: p.organisationId as string,
    article: d.article,
    period_from: d.period.from,
    period_to: d.period.to,
    supplements: d.supplements ?? null,
    item_count: d.items.length,
    body_sha256: createHash('sha256').update(s.body).digest('hex'),
    key_id: sig.keyId,
    signature: sig.signature,
    submitted_at: at,
    submitted_by: p.userId,
    log_index: -1,
  };
  const items = d.items.map((it, i) => itemRow(id, d, i, it));
  const repo = createDeclarationsRepo(ports.db);
  let logIndex: number;
  try {
    logIndex = await ports.db.kysely.transaction().execute(async (tx) => {
      const { log_index: _l, ...rest } = row;
      const index = await appendRecord(tx, ports, {
        kind: 'declaration',
        id: declarationRecordId(id),
        content: declarationContent(rest, row.body_sha256, items),
        subjectState: d.state,
        subjectOrg: p.organisationId,
        at,
        by: p.userId,
      });
      await repo.insert(tx, { ...row, log_index: index }, s.body, items);
      return index;
    });
  } catch (err) {
    // Two supplements of one declaration raced past the check: the unique index keeps the chain.
    if (d.supplements !== undefined && /unique|duplicate/i.test(String((err as Error).message)))
      return refuse(
        ports,
        p,
        s,
        at,
        [
          {
            field: 'supplements',
            ...problemOf('SUPPLEMENT_TARGET_INVALID.justAmended', { id: d.supplements }),
            message: `${d.supplements} was just amended`,
          },
        ],
        d,
      );
    throw err;
  }
  return { id, logIndex, receiptUrl: `/api/records/${encodeURIComponent(declarationRecordId(id))}/receipt` };
}
