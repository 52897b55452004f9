export {
  type NotificationLoopOptions,
  registeredObligationSource,
  registerObligationSource,
  startNotifications,
} from './center.js';
export { canSeeEvent, createInboxService, type InboxItem, type InboxService } from './inbox.js';
export { type ObligationSource, runSchedulerOnce, type SchedulerResult } from './scheduler.js';
export {
  createDurableEventSink,
  type DurableEventSink,
  type EventSinkDeps,
  type EventSubscriber,
  isDurableEventSink,
  type StoredEvent,
} from './sink.js';
export {
  createWebhookDispatcher,
  createWebhookService,
  type DeliveryView,
  type FetchLike,
  type WebhookDispatcher,
  type WebhookService,
  type WebhookView,
} from './webhooks.js';
