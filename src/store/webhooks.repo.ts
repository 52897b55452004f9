import type { Db, DbOrTx } from './db.js';
import type { Schema } from './schema.types.js';

export type WebhookRecord = Schema['webhooks'];
export type DeliveryRecord = Schema['webhook_deliveries'];

/** What one attempt changed on a delivery (the columns the dispatcher writes after sending). */
export type DeliveryOutcome = Pick<
  DeliveryRecord,
  'status' | 'next_attempt_at' | 'last_error' | 'updated_at'
> &
  Partial<Pick<DeliveryRecord, 'attempts' | 'last_status' | 'delivered_at'>>;

/** Organisations' webhook endpoints and the deliveries queued for them. */
export function createWebhooksRepo(db: Db) {
  const k = db.kysely;
  return {
    async insert(row: WebhookRecord): Promise<void> {
      await k.insertInto('webhooks').values(row).execute();
    },
    async get(id: string): Promise<WebhookRecord | undefined> {
      return k.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listOf(organisationId: string): Promise<WebhookRecord[]> {
      return k
        .selectFrom('webhooks')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .orderBy('created_at')
        .execute();
    },
    /** Webhooks whose secret or headers are still stored in plain text (services/secrets.ts). */
    async plaintextSecrets(): Promise<{ id: string; secret: string; headers: string }[]> {
      return k
        .selectFrom('webhooks')
        .select(['id', 'secret', 'headers'])
        .where((eb) => eb.or([eb('secret', 'not like', 'enc:v1:%'), eb('headers', 'not like', 'enc:v1:%')]))
        .execute();
    },
    /** Replace a column by its sealed form, only if it is still what was read (two nodes may race). */
    async setSealed(id: string, column: 'secret' | 'headers', was: string, sealed: string): Promise<void> {
      const q = k.updateTable('webhooks').where('id', '=', id);
      if (column === 'secret') await q.set({ secret: sealed }).where('secret', '=', was).execute();
      else await q.set({ headers: sealed }).where('headers', '=', was).execute();
    },
    async markVerified(id: string, at: string): Promise<void> {
      await k
        .updateTable('webhooks')
        .set({ status: 'verified', verified_at: at })
        .where('id', '=', id)
        .execute();
    },
    /** Disable the endpoint and give up its pending deliveries. */
    async disable(id: string, at: string): Promise<void> {
      await k.updateTable('webhooks').set({ status: 'disabled' }).where('id', '=', id).execute();
      await k
        .updateTable('webhook_deliveries')
        .set({ status: 'dead', last_error: 'webhook disabled', next_attempt_at: null, updated_at: at })
        .where('webhook_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    },
    /** Verified endpoints of these organisations (null: of every organisation), with their event filters. */
    async verifiedOf(
      q: DbOrTx,
      organisations: readonly string[] | null,
    ): Promise<{ id: string; events: string }[]> {
      let hooks = q.selectFrom('webhooks').select(['id', 'events']).where('status', '=', 'verified');
      if (organisations !== null) {
        if (organisations.length === 0) return [];
        hooks = hooks.where('organisation_id', 'in', [...organisations]);
      }
      return hooks.execute();
    },

    async insertDeliveries(tx: DbOrTx, rows: readonly DeliveryRecord[]): Promise<void> {
      if (rows.length > 0)
        await tx
          .insertInto('webhook_deliveries')
          .values([...rows])
          .execute();
    },
    async deliveriesOf(webhookId: string, limit: number): Promise<DeliveryRecord[]> {
      return k
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('event_id', 'desc')
        .limit(limit)
        .execute();
    },
    /** Pending deliveries due at `now` and not leased by another process, oldest due first. */
    async due(now: string, limit: number): Promise<DeliveryRecord[]> {
      return k
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
    },
    /**
     * Claim one attempt of a delivery until `lease`: a conditional update that succeeds for one
     * process only (still pending, same attempt count, no live lease). Answers whether it did.
     */
    async claim(d: DeliveryRecord, now: string, lease: string): Promise<boolean> {
      const claimed = await k
        .updateTable('webhook_deliveries')
        .set({ lease_until: lease })
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', d.attempts)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      return Number(claimed.numUpdatedRows) === 1;
    },
    /** Record an attempt's outcome and release the lease. */
    async settle(id: string, outcome: DeliveryOutcome): Promise<void> {
      await k
        .updateTable('webhook_deliveries')
        .set({ ...outcome, lease_until: null })
        .where('id', '=', id)
        .execute();
    },
  };
}
