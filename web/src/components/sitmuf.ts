/**
 * SITMUF as the balance table shows it. The server answers null for a balance without variance
 * (nothing measured with an error: no standardised value exists, domain/accounting statistics.ts),
 * which the table once called `.toFixed` on and failed to render.
 */
export function sitmufText(sitmuf: number | null): string {
  return sitmuf === null ? '—' : sitmuf.toFixed(2);
}

/** Sorts a balance without variance before every standardised value. */
export function sitmufSortValue(sitmuf: number | null): number {
  return sitmuf ?? Number.NEGATIVE_INFINITY;
}
