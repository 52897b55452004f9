export { registerObligationSource, startNotifications } from './center.js';
export { canSeeEvent, createInboxService } from './inbox.js';
export {
  type ObligationSource,
  runSchedulerOnce,
  type SchedulerMemo,
} from './scheduler.js';
export {
  createDurableEventSink,
  type DurableEventSink,
  isDurableEventSink,
  type StoredEvent,
} from './sink.js';
export { storedObligations } from './stored-obligations.js';
export { createWebhookDispatcher, createWebhookService } from './webhooks.js';
