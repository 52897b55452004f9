import { ELEMENT_CODES } from './codes.js';
import type { ElementCode } from './report.types.js';

const BIT = new Map<ElementCode, number>(ELEMENT_CODES.map((e, i) => [e, 1 << i]));

/**
 * A set of (batch, element) pairs — the pairs `batchKey` names — that keeps the batch names the
 * report's lines already hold and one small integer of elements per name, rather than a new
 * `element:batch` string per line (issue 15 item 9, decision 0051: a 900 000-line ICR's sets of
 * such strings lived through validation and made the heap grow by some 100 MB).
 */
export class BatchSet {
  private readonly elements = new Map<string, number>();

  has(batch: string, element: ElementCode): boolean {
    return ((this.elements.get(batch) ?? 0) & (BIT.get(element) ?? 0)) !== 0;
  }

  add(batch: string, element: ElementCode): void {
    this.elements.set(batch, (this.elements.get(batch) ?? 0) | (BIT.get(element) ?? 0));
  }
}

/**
 * Which batch names may occur on more than one of a report's lines. A name it says no to occurs
 * once, so no other line can repeat its (batch, element) pair, and the validator need not keep
 * it: a 900 000-line ICR of new batches would otherwise hold a BatchSet entry for every line
 * through the whole validation (issue 15 item 9, decision 0058). Two bit sets over a hash of the
 * name (FNV-1a, 32 bits): seen once, seen again. A collision only says "maybe" for a name that
 * occurs once, which costs that name a set entry and changes no answer; a name that does occur
 * twice always hashes alike, so it is never missed.
 */
export class RepeatedNames {
  private readonly once: Uint32Array;
  private readonly twice: Uint32Array;
  private readonly mask: number;

  /** `expected`: about how many names will be added (the bit sets get ~32 bits a name, at most 2^26). */
  constructor(expected: number) {
    let bits = 1024;
    while (bits < expected * 32 && bits < 1 << 26) bits *= 2;
    this.mask = bits - 1;
    this.once = new Uint32Array(bits >>> 5);
    this.twice = new Uint32Array(bits >>> 5);
  }

  add(name: string): void {
    const h = hashName(name) & this.mask;
    const word = h >>> 5;
    const bit = 1 << (h & 31);
    if ((this.once[word]! & bit) !== 0) this.twice[word]! |= bit;
    else this.once[word]! |= bit;
  }

  /** False only for a name added at most once. */
  mayRepeat(name: string): boolean {
    const h = hashName(name) & this.mask;
    return (this.twice[h >>> 5]! & (1 << (h & 31))) !== 0;
  }
}

function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
