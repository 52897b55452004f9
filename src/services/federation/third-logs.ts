import { openCheckpoint, parseNoteVerifier } from '../../log/index.js';
import type { createFederationRepo } from '../../store/federation.repo.js';
import type { FedLogRow, FedPeerRow } from '../../store/schema.types.js';
import { createPinnedFetch } from '../notifications/webhook-transport.js';
import type { Ports } from '../ports.js';
import { type ProofAnswer, peerConsistency } from './witness-proofs.js';

/*
 * Third logs in the checkpoint exchange (issue 17 item 5, decision 0054): a log that is neither
 * this node's nor a registered peer's — a peer's peer, or a log several nodes witness. A peer's
 * exchange names each log's verifier key (and base URL); this node pins the key on first sight,
 * and then checks every checkpoint of that log it is given, by any peer, against the others.
 */

/** Third logs a node learns at most (the table cannot be filled without end by a peer). */
export const MAX_THIRD_LOGS = 10_000;
/** Longest note, key and URL taken from an exchange. */
const MAX_NOTE = 64_000;
const MAX_FIELD = 2_000;

/** One log's latest checkpoint as exchanged, with the log's key and URL as the sender knows them. */
export interface ExchangeItem {
  readonly origin: string;
  readonly note: string;
  readonly logKey?: string;
  readonly url?: string;
}

function text(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length < max ? v : undefined;
}

/** The well-formed items of a peer's exchange page, at most `max`. */
export function exchangeItems(raw: unknown, max: number): ExchangeItem[] {
  const out: ExchangeItem[] = [];
  for (const c of Array.isArray(raw) ? raw.slice(0, max) : []) {
    if (typeof c !== 'object' || c === null) continue;
    const r = c as Record<string, unknown>;
    const origin = text(r.origin, MAX_FIELD);
    const note = text(r.note, MAX_NOTE);
    if (origin === undefined || note === undefined) continue;
    const logKey = text(r.logKey, MAX_FIELD);
    const url = text(r.url, MAX_FIELD);
    out.push({ origin, note, ...(logKey ? { logKey } : {}), ...(url ? { url } : {}) });
  }
  return out;
}

/** An http(s) base URL with no credentials, query or fragment; anything else is not kept. */
function baseUrl(v: string | undefined): string | null {
  if (v === undefined) return null;
  try {
    const u = new URL(v);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash)
      return null;
    return u.href.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

/**
 * The key of a third log named in a peer's exchange, pinned on first sight: only a key named as
 * the origin that verifies the checkpoint it came with. A key pinned before stays (a later,
 * different one verifies nothing of this log). Undefined: nothing to check this log with.
 */
export async function learnThirdLog(
  ports: Ports,
  repo: ReturnType<typeof createFederationRepo>,
  item: ExchangeItem,
  via: string,
): Promise<FedLogRow | undefined> {
  const pinned = await repo.thirdLog(item.origin);
  if (pinned || item.logKey === undefined || !via.startsWith('exchange:')) return pinned;
  try {
    const verifier = parseNoteVerifier(item.logKey);
    if (verifier.name !== item.origin) return undefined;
    openCheckpoint(item.note, verifier);
  } catch {
    return undefined;
  }
  const row = {
    origin: item.origin,
    log_key: item.logKey,
    url: baseUrl(item.url),
    via,
    learned_at: ports.clock.now().toISOString(),
  };
  const kept = await repo.learnThirdLog(row, MAX_THIRD_LOGS);
  if (kept === undefined) ports.logger.warn({ origin: item.origin, via }, 'third log not learned: too many');
  else if (kept.via === via && kept.log_key === row.log_key)
    ports.logger.info({ origin: item.origin, via }, 'third log learned from a peer');
  return kept;
}

/**
 * A third log's consistency proofs, from the URL a peer gave: through the checked transport of
 * webhooks (public addresses only unless CUSTOS_WEBHOOK_ALLOW_PRIVATE), since the URL is a peer's
 * word, not an administrator's. No URL: undecided (two roots for one size still prove a split).
 */
export function thirdLogProofs(
  ports: Ports,
  row: FedLogRow,
): (from: number, to: number) => Promise<ProofAnswer> {
  const url = row.url;
  if (url === null) return async () => undefined;
  const get = createPinnedFetch({ allowPrivate: ports.config.webhookAllowPrivate });
  return (from, to) => peerConsistency({ url }, from, to, get);
}

/** An exchange page's items with each log's key and URL as this node knows them. */
export async function withKeys(
  repo: ReturnType<typeof createFederationRepo>,
  own: { readonly origin: string; readonly vkey: string },
  items: readonly { origin: string; note: string }[],
): Promise<ExchangeItem[]> {
  const peers = new Map<string, FedPeerRow>();
  for (const p of await repo.listPeers()) if (p.status === 'active') peers.set(p.origin, p);
  const third = new Map(
    (await repo.thirdLogsOf(items.map((i) => i.origin))).map((r) => [r.origin, r] as const),
  );
  return items.map((i) => {
    if (i.origin === own.origin) return { ...i, logKey: own.vkey };
    const p = peers.get(i.origin);
    if (p) return { ...i, logKey: p.log_key, url: p.url };
    const t = third.get(i.origin);
    return t ? { ...i, logKey: t.log_key, ...(t.url ? { url: t.url } : {}) } : i;
  });
}
