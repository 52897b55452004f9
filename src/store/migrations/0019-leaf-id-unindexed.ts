import type { Kysely } from 'kysely';

/**
 * Drop the unique index on records.leaf_id (decision 0021, "Measured cost"): no query looks a
 * record up by its opaque leaf id (proofs and forwarded bundles go by log index), and a B-tree
 * insert at a random place per record cost the log more than half its durable sequencing rate.
 * The id stays 128 random bits per record, and `custos audit` still checks each record's leaf
 * against it. Forward-only: never edit once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('records_leaf_id').execute();
}
