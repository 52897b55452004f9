import { DomainError, type ErrorDetail } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';

/**
 * The only headers a subscriber may have Custos send (issue 15 item 3): credentials a receiver
 * checks. A fixed allow-list, not a deny-list: anything else (Host, Cookie, proxy, hop-by-hop,
 * X-Forwarded-*, Custos' own) could steer a proxy or impersonate someone at the receiver.
 */
export const ALLOWED_WEBHOOK_HEADERS: readonly string[] = ['authorization', 'x-api-key', 'x-webhook-token'];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_URL_LENGTH = 2048;
const MAX_HEADER_VALUE_LENGTH = 4096;

/** RFC 9110 §5.6.2: a field name is a token. */
export function isSafeHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * RFC 9110 §5.5: a field value is visible characters, space and tab, without leading or trailing
 * whitespace. Refusing CR, LF, NUL and every other control character is what stops header
 * injection (a value "x\r\nAuthorization: …" would start a new header); characters above
 * U+00FF are refused too, since they have no single-byte wire form.
 */
export function isSafeHeaderValue(value: string): boolean {
  if (value.length > MAX_HEADER_VALUE_LENGTH) return false;
  if (value !== value.trim()) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09) continue;
    if (c < 0x20 || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

export interface WebhookTarget {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Validates a webhook subscription's URL and extra headers, collecting every problem into one
 * VALIDATION_FAILED. The URL must be absolute https (http only with `allowHttp`, for local
 * tests), carry no credentials and contain no whitespace or control characters in its raw form
 * (the WHATWG parser silently strips tab and newline, so the raw string is checked first).
 * Whether the host resolves to a private address is a network question for the delivery
 * service (address.ts judges each address it resolves).
 */
export function validateWebhookTarget(
  target: WebhookTarget,
  options: { readonly allowHttp?: boolean } = {},
): void {
  const problems: ErrorDetail[] = [];
  const add = (field: string, p: Particulars, message: string) => problems.push({ field, ...p, message });
  if (target.url.length > MAX_URL_LENGTH)
    add('url', problemOf('TOO_LONG', { max: MAX_URL_LENGTH }), `url longer than ${MAX_URL_LENGTH}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u0020\u007f-\u00a0]/.test(target.url))
    add('url', problemOf('UNSAFE_CHARACTER', {}), 'url contains whitespace or control characters');
  let url: URL | undefined;
  try {
    url = new URL(target.url);
  } catch {
    add('url', problemOf('NOT_A_URL', {}), 'url is not an absolute URL');
  }
  if (url) {
    const schemes = options.allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(url.protocol))
      add(
        'url',
        problemOf('SCHEME.oneOf', { allowed: schemes.map((x) => x.slice(0, -1)) }),
        `url scheme must be ${schemes.join(' or ')}`,
      );
    if (url.username || url.password)
      add('url', problemOf('CREDENTIALS', {}), 'url must not carry credentials');
  }
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(target.headers ?? {})) {
    const field = `headers.${name}`;
    const lower = name.toLowerCase();
    if (!isSafeHeaderName(name))
      add(field, problemOf('UNSAFE_NAME', {}), 'header name is not an RFC 9110 token');
    else if (!ALLOWED_WEBHOOK_HEADERS.includes(lower)) {
      add(
        field,
        problemOf('NOT_ALLOWED.header', { allowed: ALLOWED_WEBHOOK_HEADERS }),
        `only these headers may be set: ${ALLOWED_WEBHOOK_HEADERS.join(', ')}`,
      );
    }
    if (seen.has(lower))
      add(field, problemOf('DUPLICATE.header', {}), 'header given twice (names are case-insensitive)');
    seen.add(lower);
    if (typeof value !== 'string' || !isSafeHeaderValue(value))
      add(field, problemOf('UNSAFE_VALUE', {}), 'header value may not contain control characters');
  }
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid webhook target', problems);
}
