import { type Kysely, sql } from 'kysely';

/**
 * How many outbox rows each peer has acknowledged, and when last (decision 0096): kept as rows
 * are settled, in the same transaction, so `GET /api/peers` does not count a peer's delivered
 * rows — every record ever forwarded to it — nor read each of them for the latest time. Built
 * here from the outbox an existing database already holds (one grouped read, once).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table fed_delivered (
    peer_id text primary key,
    delivered bigint not null,
    last_at text
  )`.execute(db);
  await sql`insert into fed_delivered (peer_id, delivered, last_at)
    select peer_id, count(*), max(delivered_at) from fed_outbox where status = 'delivered' group by peer_id`.execute(
    db,
  );
}
