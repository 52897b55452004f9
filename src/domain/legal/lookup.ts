import type { Instrument, LegalDate, LegalObligation, Provision, ProvisionBasis } from './legal.types.js';

export interface ProvisionFound {
  readonly provision: Provision;
  readonly basis: ProvisionBasis;
}

/** The provision cited as `ref` (refs are unique across the register), with its instrument. */
export function provisionByRef(instruments: readonly Instrument[], ref: string): ProvisionFound | undefined {
  for (const i of instruments) {
    const provision = i.provisions.find((p) => p.ref === ref);
    if (provision) return { provision, basis: { ref, instrument: i.id, version: i.version } };
  }
  return undefined;
}

/** In force on `day`: entered into force on or before it and not suspended by then. */
export function isInForce(i: Instrument, day: LegalDate): boolean {
  const { inForce, suspended } = i;
  if (inForce === undefined || inForce > day) return false;
  return suspended === undefined || suspended > day;
}

/**
 * The instruments that bind `party` on `day`, in the order their rules apply: earliest entry
 * into force first (under a joint regime the state reports once, under the first agreement in
 * force — deadlines/obligations.ts), then by id. A domestic act binds its state but does not set
 * the international figures, so it is left out.
 */
export function instrumentsBinding(
  instruments: readonly Instrument[],
  party: string,
  day: LegalDate,
): Instrument[] {
  return instruments
    .filter((i) => i.kind !== 'domestic-act' && i.parties.includes(party) && isInForce(i, day))
    .sort((a, b) => (a.inForce ?? '').localeCompare(b.inForce ?? '') || a.id.localeCompare(b.id));
}

export interface ObligationFound<O extends LegalObligation> {
  readonly obligation: O;
  readonly basis: ProvisionBasis;
}

/**
 * The first obligation matching `match` in the instruments, in order: the rule that governs and
 * the provision it comes from.
 */
export function findObligation<O extends LegalObligation>(
  instruments: readonly Instrument[],
  match: (o: LegalObligation) => o is O,
): ObligationFound<O> | undefined {
  for (const i of instruments) {
    for (const p of i.provisions) {
      for (const o of p.obligations ?? []) {
        if (match(o)) return { obligation: o, basis: { ref: p.ref, instrument: i.id, version: i.version } };
      }
    }
  }
  return undefined;
}
