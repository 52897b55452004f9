export { isNotificationEvent, NOTIFICATION_EVENTS, type NotificationEvent } from './events.js';
export { DEFAULT_RETRY, nextRetryDelay, type RetryOptions } from './retry.js';
export {
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  signWebhook,
  type VerifyWebhookInput,
  verifyWebhookSignature,
} from './webhook-signature.js';
export {
  isSafeHeaderName,
  isSafeHeaderValue,
  RESERVED_WEBHOOK_HEADERS,
  validateWebhookTarget,
  type WebhookTarget,
} from './webhook-target.js';
