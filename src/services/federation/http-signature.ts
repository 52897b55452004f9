import { createHash } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { isInnerList, parseDictionary, serializeDictionary } from 'structured-headers';
import { DomainError } from '../../domain/errors.js';
import { ed25519Verify } from '../../log/index.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import type { FedPeerRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import type { NodeKey } from './node-key.js';

/**
 * Node-to-node authentication (issue 17 item 1, decision 0027): RFC 9421 HTTP Message Signatures
 * with alg ed25519 and keyid = the sender's node key id, covering the method, the target URI,
 * the authority and the RFC 9530 Content-Digest, with `created` and `nonce` parameters. Signatures
 * hold through TLS-terminating proxies, which mutual TLS would not.
 */
export const SIGNED_COMPONENTS = ['@method', '@target-uri', '@authority', 'content-digest'] as const;
/** A request signed more than this far from the receiver's clock is refused (federation.md). */
export const SIGNATURE_WINDOW_SECONDS = 300;

export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly body: Uint8Array;
}

/** RFC 9530 Content-Digest of the body, `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array): string {
  const digest = new Uint8Array(createHash('sha256').update(body).digest());
  return serializeDictionary(new Map([['sha-256', [digest.buffer, new Map()]]]));
}

/** The headers that sign `req` as this node: Content-Digest, Signature-Input and Signature. */
export async function signRequest(
  key: NodeKey,
  req: SignableRequest,
  created: Date,
  nonce: string,
): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', 'content-digest': contentDigest(req.body) };
  const signed = await httpbis.signMessage(
    {
      key: { id: key.keyId, alg: 'ed25519', sign: async (data) => Buffer.from(key.sign(data)) },
      fields: [...SIGNED_COMPONENTS],
      params: ['created', 'keyid', 'alg', 'nonce'],
      paramValues: { created, nonce },
    },
    { method: req.method, url: req.url, headers },
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers))
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export interface ReceivedRequest extends SignableRequest {
  readonly headers: Record<string, string | string[] | undefined>;
}

function refuse(code: 'REQUEST_SIGNATURE_INVALID' | 'CONTENT_DIGEST_INVALID', message: string): never {
  throw new DomainError(code, message);
}

function header(req: ReceivedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The one signature's parameters, after checking it covers every component we require. */
function signatureParams(req: ReceivedRequest): { keyId: string; created: number; nonce: string } {
  const input = header(req, 'signature-input');
  if (input === undefined || header(req, 'signature') === undefined)
    refuse('REQUEST_SIGNATURE_INVALID', 'the request carries no Signature and Signature-Input (RFC 9421)');
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(input);
  } catch {
    return refuse('REQUEST_SIGNATURE_INVALID', 'Signature-Input is not a structured dictionary');
  }
  if (dict.size !== 1) refuse('REQUEST_SIGNATURE_INVALID', 'exactly one signature is expected');
  const [member] = [...dict.values()];
  if (!member || !isInnerList(member))
    return refuse('REQUEST_SIGNATURE_INVALID', 'Signature-Input is malformed');
  const covered = new Set(member[0].map(([name]) => String(name)));
  const missing = SIGNED_COMPONENTS.filter((c) => !covered.has(c));
  if (missing.length > 0)
    refuse('REQUEST_SIGNATURE_INVALID', `the signature does not cover ${missing.join(', ')}`);
  const params = member[1];
  const keyId = params.get('keyid');
  const created = params.get('created');
  const nonce = params.get('nonce');
  const alg = params.get('alg');
  if (typeof keyId !== 'string' || !/^[0-9a-f]{16}$/.test(keyId))
    refuse('REQUEST_SIGNATURE_INVALID', 'keyid must be a node key id (16 hex digits)');
  if (typeof created !== 'number' || !Number.isSafeInteger(created))
    refuse('REQUEST_SIGNATURE_INVALID', 'the signature has no created parameter');
  if (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 128)
    refuse('REQUEST_SIGNATURE_INVALID', 'the signature has no nonce of 16 to 128 characters');
  if (alg !== undefined && alg !== 'ed25519') refuse('REQUEST_SIGNATURE_INVALID', 'alg must be ed25519');
  return { keyId, created, nonce };
}

function checkDigest(req: ReceivedRequest): void {
  const value = header(req, 'content-digest');
  if (value === undefined) refuse('CONTENT_DIGEST_INVALID', 'the request has no Content-Digest (RFC 9530)');
  let given: unknown;
  try {
    given = parseDictionary(value).get('sha-256')?.[0];
  } catch {
    refuse('CONTENT_DIGEST_INVALID', 'Content-Digest is not a structured dictionary');
  }
  const expected = createHash('sha256').update(req.body).digest('base64');
  if (!(given instanceof ArrayBuffer) || Buffer.from(given).toString('base64') !== expected)
    refuse('CONTENT_DIGEST_INVALID', 'Content-Digest sha-256 is not the SHA-256 of the body');
}

/**
 * The peer that signed `req`, or a refusal with a stable code: PEER_UNKNOWN, PEER_REVOKED,
 * REQUEST_EXPIRED (created more than 300 s from now), CONTENT_DIGEST_INVALID,
 * REQUEST_SIGNATURE_INVALID, REQUEST_REPLAYED (the nonce was seen within the window: nonces are
 * kept in the database until the window ends, so this holds across servers and restarts).
 */
export async function authenticatePeerRequest(
  ports: Pick<Ports, 'db' | 'clock'>,
  req: ReceivedRequest,
): Promise<FedPeerRow> {
  const { keyId, created, nonce } = signatureParams(req);
  const repo = createFederationRepo(ports.db);
  const peer = await repo.peerByKeyId(keyId);
  if (!peer) throw new DomainError('PEER_UNKNOWN', `no peer has node key ${keyId}`);
  if (peer.status !== 'active') throw new DomainError('PEER_REVOKED', `peer ${peer.id} was revoked`);
  const now = ports.clock.now().getTime();
  if (Math.abs(now / 1000 - created) > SIGNATURE_WINDOW_SECONDS)
    throw new DomainError(
      'REQUEST_EXPIRED',
      `the request was signed at ${new Date(created * 1000).toISOString()}, more than ${SIGNATURE_WINDOW_SECONDS} s from now`,
    );
  checkDigest(req);
  const publicKey = new Uint8Array(Buffer.from(peer.node_key, 'base64'));
  let ok: boolean | null;
  try {
    ok = await httpbis.verifyMessage(
      {
        keyLookup: async () => ({
          id: keyId,
          algs: ['ed25519'],
          verify: async (data: Buffer, signature: Buffer) => ed25519Verify(publicKey, data, signature),
        }),
        // The window is checked above against the node's clock; the library would use Date.now().
        notAfter: Number.MAX_SAFE_INTEGER,
      },
      { method: req.method, url: req.url, headers: req.headers as Record<string, string | string[]> },
    );
  } catch (err) {
    return refuse('REQUEST_SIGNATURE_INVALID', `the signature does not verify: ${(err as Error).message}`);
  }
  if (ok !== true) refuse('REQUEST_SIGNATURE_INVALID', 'the signature does not verify');
  const at = new Date(now).toISOString();
  await repo.forgetNoncesBefore(at);
  const expires = new Date((created + SIGNATURE_WINDOW_SECONDS) * 1000).toISOString();
  if (!(await repo.rememberNonce(keyId, nonce, expires)))
    throw new DomainError('REQUEST_REPLAYED', 'this nonce was already used within the window');
  return peer;
}
