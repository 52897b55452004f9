export { isPublicAddress, parseIp } from './address.js';
export { isNotificationEvent, NOTIFICATION_EVENTS } from './events.js';
export { nextRetryDelay, type RetryOptions } from './retry.js';
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './webhook-signature.js';
export { validateWebhookTarget } from './webhook-target.js';
