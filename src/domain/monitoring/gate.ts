import type { ParticularsOf } from '../particulars.js';
import type { CokAlarm } from './cok.types.js';

/** Items through a KMP on one day, per direction. */
export interface GateItems {
  readonly in: number;
  readonly out: number;
}

/**
 * One gate monitor's day at its KMP: the items it counted, and the items the state declared
 * through that KMP that day in ICR lines in force (decision 0030: a line with an increase code
 * is one item in, with a decrease code one item out), once the state has declared that day.
 */
export interface GateDay {
  readonly device: string;
  readonly kmp: string;
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly counted: GateItems;
  readonly declared: GateItems;
}

/**
 * GATE_MISMATCH (issue 18 §5): the counts disagree with the declarations in either direction.
 * Exact: an item is an item, and a gate that saw one more than was declared is what the
 * comparison exists to find.
 */
export function gateMismatch(d: GateDay): CokAlarm | undefined {
  if (d.counted.in === d.declared.in && d.counted.out === d.declared.out) return undefined;
  return {
    code: 'GATE_MISMATCH',
    device: d.device,
    at: `${d.day}T00:00:00Z`,
    detail:
      `at ${d.kmp} on ${d.day} the gate counted ${d.counted.in} in and ${d.counted.out} out; ` +
      `the state declared ${d.declared.in} in and ${d.declared.out} out`,
    values: {
      kmp: d.kmp,
      day: d.day,
      countedIn: d.counted.in,
      countedOut: d.counted.out,
      declaredIn: d.declared.in,
      declaredOut: d.declared.out,
    } satisfies ParticularsOf<'GATE_MISMATCH'>,
  };
}
