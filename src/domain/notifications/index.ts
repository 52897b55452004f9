export { isPublicAddress, parseIp } from './address.js';
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
  ALLOWED_WEBHOOK_HEADERS,
  isSafeHeaderName,
  isSafeHeaderValue,
  validateWebhookTarget,
  type WebhookTarget,
} from './webhook-target.js';
