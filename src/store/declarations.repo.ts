import type { Db, DbOrTx } from './db.js';
import { countOf } from './paging.js';
import type { DeclarationAttachmentRow, DeclarationItemRow, DeclarationRow } from './schema.types.js';

/** Items inserted per statement: well under both dialects' limits on bound parameters. */
const INSERT_CHUNK = 500;

export interface DeclarationFilter {
  /** The states the caller may see ('all' for a global administrator). */
  readonly states: readonly string[] | 'all';
  readonly state?: string | undefined;
  readonly article?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

export type DeclarationSummaryRow = Omit<DeclarationRow, 'log_index'> & {
  log_index: number;
  supplemented_by: string | null;
};

/**
 * Declarations are written once (insert) and read; there is no update or delete here, by design:
 * a submitted declaration is locked (decision 0032) and changes only by a supplement.
 */
// long: one repository per aggregate (architecture.md), its reads and its single write together
export function createDeclarationsRepo(db: Db) {
  const k = db.kysely;
  const withSupplementedBy = (q: DbOrTx) =>
    q
      .selectFrom('declarations as d')
      .leftJoin('declarations as s', 's.supplements', 'd.id')
      .selectAll('d')
      .select('s.id as supplemented_by');
  return {
    async insert(
      tx: DbOrTx,
      row: DeclarationRow,
      body: Uint8Array,
      items: readonly DeclarationItemRow[],
    ): Promise<void> {
      await tx.insertInto('declarations').values(row).execute();
      await tx.insertInto('declaration_bodies').values({ declaration_id: row.id, body }).execute();
      for (let i = 0; i < items.length; i += INSERT_CHUNK)
        await tx
          .insertInto('declaration_items')
          .values(items.slice(i, i + INSERT_CHUNK))
          .execute();
    },
    async get(id: string, q: DbOrTx = k): Promise<DeclarationSummaryRow | undefined> {
      const row = await withSupplementedBy(q).where('d.id', '=', id).executeTakeFirst();
      return row && { ...row, log_index: Number(row.log_index) };
    },
    /** The declarations a supplement chain goes through, oldest first (bounded by the chain's length). */
    async chainOf(id: string): Promise<string[]> {
      const back: string[] = [];
      let cur: string | null | undefined = id;
      const seen = new Set<string>();
      while (cur && !seen.has(cur)) {
        seen.add(cur);
        back.unshift(cur);
        const r: { supplements: string | null } | undefined = await k
          .selectFrom('declarations')
          .select('supplements')
          .where('id', '=', cur)
          .executeTakeFirst();
        cur = r?.supplements;
      }
      const forward: string[] = [];
      cur = id;
      for (;;) {
        const r: { id: string } | undefined = await k
          .selectFrom('declarations')
          .select('id')
          .where('supplements', '=', cur)
          .executeTakeFirst();
        if (!r || seen.has(r.id)) break;
        seen.add(r.id);
        forward.push(r.id);
        cur = r.id;
      }
      return [...back, ...forward];
    },
    async items(id: string, q: DbOrTx = k): Promise<DeclarationItemRow[]> {
      const rows = await q
        .selectFrom('declaration_items')
        .selectAll()
        .where('declaration_id', '=', id)
        .orderBy('idx')
        .execute();
      return rows.map((r) => ({
        ...r,
        idx: Number(r.idx),
        quantity_milli: r.quantity_milli === null ? null : Number(r.quantity_milli),
      }));
    },
    async body(id: string): Promise<Uint8Array | undefined> {
      const r = await k
        .selectFrom('declaration_bodies')
        .select('body')
        .where('declaration_id', '=', id)
        .executeTakeFirst();
      return r && new Uint8Array(r.body);
    },
    async list(f: DeclarationFilter): Promise<{ rows: DeclarationSummaryRow[]; total: number }> {
      if (f.states !== 'all' && f.states.length === 0) return { rows: [], total: 0 };
      let q = withSupplementedBy(k);
      let c = k.selectFrom('declarations as d').select((e) => e.fn.countAll().as('n'));
      if (f.states !== 'all') {
        q = q.where('d.state', 'in', f.states);
        c = c.where('d.state', 'in', f.states);
      }
      if (f.state) {
        q = q.where('d.state', '=', f.state);
        c = c.where('d.state', '=', f.state);
      }
      if (f.article) {
        q = q.where('d.article', '=', f.article);
        c = c.where('d.article', '=', f.article);
      }
      const rows = await q
        .orderBy('d.submitted_at', 'desc')
        .orderBy('d.id')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      return {
        rows: rows.map((r) => ({ ...r, log_index: Number(r.log_index) })),
        total: countOf(await c.executeTakeFirst()),
      };
    },
    /** What the Article 3 deadlines need of a state's declarations (a few a quarter per article). */
    async forDeadlines(state: string) {
      return k
        .selectFrom('declarations')
        .select(['id', 'article', 'period_from', 'period_to', 'submitted_at', 'supplements'])
        .where('state', '=', state)
        .execute();
    },
  };
}

// ---- attachments a declaration commits to by hash (migration 0027)

/** Stores a State's file once (the same file twice is one row). */
export async function insertDeclarationAttachmentOnce(
  q: DbOrTx,
  row: DeclarationAttachmentRow,
): Promise<void> {
  await q
    .insertInto('declaration_attachments')
    .values(row)
    .onConflict((oc) => oc.columns(['state', 'hash']).doNothing())
    .execute();
}

export async function getDeclarationAttachment(
  q: DbOrTx,
  state: string,
  hash: string,
): Promise<DeclarationAttachmentRow | undefined> {
  return q
    .selectFrom('declaration_attachments')
    .selectAll()
    .where('state', '=', state)
    .where('hash', '=', hash)
    .executeTakeFirst();
}

/** Which of `hashes` the State has uploaded. */
export async function knownDeclarationAttachments(
  q: DbOrTx,
  state: string,
  hashes: readonly string[],
): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await q
    .selectFrom('declaration_attachments')
    .select('hash')
    .where('state', '=', state)
    .where('hash', 'in', [...new Set(hashes)])
    .execute();
  return new Set(rows.map((r) => r.hash));
}
