import type { TransferLine } from './transfer.types.js';

/** FNV-1a over the characters of `text`, continuing from `h` (a separator keeps fields apart). */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 16777619);
  return Math.imul(x ^ 0x1f, 16777619);
}

/** The batch without its trailing digits: the series a facility numbers its batches in. */
function seriesOf(batch: string): string {
  let end = batch.length;
  while (end > 0) {
    const c = batch.charCodeAt(end - 1);
    if (c < 48 || c > 57) break;
    end--;
  }
  return batch.slice(0, end);
}

/**
 * The match key (batch, element, shipper state, receiver state, notice: what both sides always
 * know) as a 48-bit integer: it indexes the stored transfer lines in 6 bytes instead of the key's
 * text (docs/decisions/0016). Lines of one hash are paired per exact key, so a collision costs a
 * look at a few more lines, never a wrong pair. The in-memory matcher (match.ts) groups by this
 * same hash, so there is one match key.
 *
 * The high 16 bits hash the batch's series (the batch less its trailing digits) with the
 * element and the states, the low 32 bits the whole key (FNV-1a): the lines of one series — a
 * month of a facility's batches, as its ICRs ship and receive them — lie together in the key
 * order, so storing a big ICR touches the pages of its few series, not pages all over the table
 * (docs/decisions/0049). A batch without trailing digits is its own series.
 */
export function matchHash(
  batch: string,
  element: string,
  shipperState: string,
  receiverState: string,
  notice: string,
): number {
  const series = fnv(fnv(fnv(fnv(0x5bd1e995, seriesOf(batch)), element), shipperState), receiverState);
  const whole = fnv(fnv(fnv(fnv(fnv(0x811c9dc5, batch), element), shipperState), receiverState), notice);
  return (series >>> 16) * 0x1_0000_0000 + (whole >>> 0);
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
