import type { Kysely } from 'kysely';

/**
 * The match key's hash leads with the batch's series (docs/decisions/0049): `eval_transfers` rows
 * stored under the former hash would no longer be found by their key. The rows and their counts
 * are removed and, on a database with reports, the derived state is marked unbuilt: the resumable
 * start-up build (services/evaluation/derive-build.ts, MBA by MBA with progress in the log)
 * stores every MBA's transfer lines again under the new keys, as migration 0010 did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.deleteFrom('eval_transfers' as never).execute();
  await db.deleteFrom('eval_transfer_counts' as never).execute();
  const any = await db
    .selectFrom('reports' as never)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number((any as { n: number | string }).n) > 0) {
    await db.deleteFrom('eval_built' as never).execute();
    await db
      .updateTable('eval_status' as never)
      .set({ built: 0 } as never)
      .execute();
  }
}
