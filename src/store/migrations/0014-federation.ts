import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Federation between sovereign nodes (issue 17, decision 0027).
 * - `fed_peers`: the nodes this one talks to (base URL, log verifier key, node key and its id);
 *   each change is also a logged record (`peer`, `peer-revocation`).
 * - `fed_nonces`: RFC 9421 nonces seen from peers, kept until their window ends, so a replay is
 *   refused across servers and restarts; every row expires and is deleted.
 * - `fed_arrangements` (logged) and `fed_arrangement_scope`, one row per (state, kind) so the
 *   outbox is filled by one indexed join in the transaction of the record it forwards.
 * - `fed_outbox`: one row per (peer, source index), the sender's durable queue and, once
 *   delivered, the sharing ledger with the receiver's signed acknowledgement.
 * - `fed_inbox`: what this node applied from each source log, unique on (source, index): a
 *   redelivery changes nothing. `received_index` is this node's own `received` record.
 * - `fed_dead_letters`: refusals retrying cannot fix, on either side, with their reason.
 * - `fed_lease`: one delivery worker at a time per node on PostgreSQL with several servers.
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('fed_peers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('log_key', 'text', (c) => c.notNull())
      .addColumn('node_key', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('revoked_by', 'text')
      .execute();
    await s.createIndex('fed_peers_key_id').on('fed_peers').column('key_id').execute();
    await s
      .createTable('fed_nonces')
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('fed_nonces_pk', ['key_id', 'nonce'])
      .execute();
    await s.createIndex('fed_nonces_expires').on('fed_nonces').column('expires_at').execute();
    await s
      .createTable('fed_arrangements')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('peer_id', 'text', (c) => c.notNull().references('fed_peers.id'))
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('states', 'text', (c) => c.notNull())
      .addColumn('kinds', 'text', (c) => c.notNull())
      .addColumn('from_date', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('fed_arrangement_scope')
      .addColumn('arrangement_id', 'text', (c) => c.notNull().references('fed_arrangements.id'))
      .addColumn('peer_id', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('from_date', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('fed_arrangement_scope_pk', ['arrangement_id', 'state', 'kind'])
      .execute();
    await s
      .createIndex('fed_arrangement_scope_lookup')
      .on('fed_arrangement_scope')
      .columns(['direction', 'state', 'kind'])
      .execute();
    await s
      .createTable('fed_outbox')
      .addColumn('peer_id', 'text', (c) => c.notNull())
      .addColumn('log_index', 'bigint', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addColumn('ack', 'text')
      .addPrimaryKeyConstraint('fed_outbox_pk', ['peer_id', 'log_index'])
      .execute();
    await s
      .createIndex('fed_outbox_pending')
      .on('fed_outbox')
      .columns(['peer_id', 'status', 'log_index'])
      .execute();
    await s.createIndex('fed_outbox_state').on('fed_outbox').columns(['state', 'log_index']).execute();
    await s
      .createTable('fed_inbox')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('peer_id', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('leaf', bin, (c) => c.notNull())
      .addColumn('leaf_hash', 'text', (c) => c.notNull())
      .addColumn('salt', bin, (c) => c.notNull())
      .addColumn('proof', 'text', (c) => c.notNull())
      .addColumn('received_index', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('fed_inbox_pk', ['source', 'idx'])
      .execute();
    await s.createIndex('fed_inbox_record').on('fed_inbox').column('record_id').unique().execute();
    await s
      .createTable('fed_dead_letters')
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('peer_id', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('fed_dead_letters_pk', ['direction', 'peer_id', 'source', 'idx'])
      .execute();
    await s.createIndex('fed_dead_letters_at').on('fed_dead_letters').column('at').execute();
    await s
      .createTable('fed_lease')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('until', 'text', (c) => c.notNull())
      .execute();
  };
}
