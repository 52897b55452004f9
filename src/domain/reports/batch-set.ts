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
