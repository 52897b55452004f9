import type { Ports } from '../ports.js';
import { type ObligationSource, runSchedulerOnce, type SchedulerMemo } from './scheduler.js';
import { type DurableEventSink, isDurableEventSink } from './sink.js';
import { createWebhookDispatcher, type FetchLike } from './webhooks.js';

let obligationSource: ObligationSource | undefined;

/**
 * The reports work provides each state's obligations (it owns the stored reports); until one is
 * registered the scheduler sends no deadline reminders rather than calling every report missing.
 */
export function registerObligationSource(source: ObligationSource): void {
  obligationSource = source;
}

export interface NotificationLoopOptions {
  /** Scheduler period; the first pass runs at start (catch-up after downtime). Default 60 s. */
  readonly schedulerMs?: number;
  /** Webhook dispatch period (deliveries are also sent as soon as they are queued). Default 1 s. */
  readonly dispatchMs?: number;
  readonly fetch?: FetchLike;
}

/**
 * The server's background work for notifications: listening for events of other processes,
 * webhook dispatch and the deadline scheduler. Started by the server (not by tests, which drive
 * each part with a fake clock); stop() waits for the running passes.
 */
export async function startNotifications(ports: Ports, options: NotificationLoopOptions = {}) {
  const sink = ports.events;
  if (!isDurableEventSink(sink)) throw new Error('notifications need the durable event sink');
  const durable: DurableEventSink = sink;
  await durable.startListening();
  const dispatcher = createWebhookDispatcher(ports, options.fetch ? { fetch: options.fetch } : {});
  let stopped = false;
  let dispatching: Promise<unknown> | undefined;
  let again = false;
  let scheduling: Promise<unknown> | undefined;
  /** Between passes: a pass on the same day judges only what changed (decision 0093). */
  const memo: SchedulerMemo = {};

  const dispatch = () => {
    if (stopped) return;
    if (dispatching) {
      again = true;
      return;
    }
    dispatching = dispatcher
      .runDue()
      .catch((err: unknown) => ports.logger.error({ err }, 'webhook dispatch failed'))
      .finally(() => {
        dispatching = undefined;
        if (again) {
          again = false;
          dispatch();
        }
      });
  };
  const schedule = () => {
    if (stopped || scheduling) return;
    scheduling = runSchedulerOnce(ports, durable, obligationSource, memo)
      .catch((err: unknown) => ports.logger.error({ err }, 'deadline scheduler failed'))
      .finally(() => {
        scheduling = undefined;
      });
  };
  const off = durable.onDeliveriesQueued(dispatch);
  const dispatchTimer = setInterval(dispatch, options.dispatchMs ?? 1_000);
  const scheduleTimer = setInterval(schedule, options.schedulerMs ?? 60_000);
  dispatchTimer.unref?.();
  scheduleTimer.unref?.();
  schedule();
  dispatch();
  return {
    dispatcher,
    async stop(): Promise<void> {
      stopped = true;
      off();
      clearInterval(dispatchTimer);
      clearInterval(scheduleTimer);
      await Promise.all([dispatching, scheduling]);
      await durable.stop();
    },
  };
}
