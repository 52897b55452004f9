import type { TransferLine } from './transfer.types.js';

/** FNV-1a over the characters of `text`, continuing from `h` (a separator keeps fields apart). */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 16777619);
  return Math.imul(x ^ 0x1f, 16777619);
}

/**
 * The match key (batch, element, shipper state, receiver state, notice: what both sides always
 * know) as a 48-bit integer, two FNV-1a passes with different seeds: it indexes the stored
 * transfer lines in 6 bytes instead of the key's text (docs/decisions/0016). Lines of one hash
 * are paired per exact key, so a collision costs a look at a few more lines, never a wrong pair.
 * The in-memory matcher (match.ts) groups by this same hash, so there is one match key.
 */
export function matchHash(
  batch: string,
  element: string,
  shipperState: string,
  receiverState: string,
  notice: string,
): number {
  const a = fnv(fnv(fnv(fnv(fnv(0x811c9dc5, batch), element), shipperState), receiverState), notice);
  const b = fnv(fnv(fnv(fnv(fnv(0x5bd1e995, notice), receiverState), shipperState), element), batch);
  return (a >>> 0) * 65536 + (b >>> 16);
}

/** matchHash of a transfer line (a shipment names the receiver as counterpart, a receipt the shipper). */
export function matchHashOf(
  line: Pick<TransferLine, 'batch' | 'element' | 'state' | 'counterpart' | 'notice'>,
  shipment: boolean,
): number {
  return shipment
    ? matchHash(line.batch, line.element, line.state, line.counterpart.state, line.notice ?? '')
    : matchHash(line.batch, line.element, line.counterpart.state, line.state, line.notice ?? '');
}
