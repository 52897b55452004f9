import type { HeaderField } from './parse.types.js';
import type { PartialValidation } from './validation.types.js';

/** Which parts of the report were read (all of them, unless it is a partial report). */
export class Readable {
  readonly lineCount: number | undefined;
  readonly allLines: boolean;
  constructor(private readonly partial: PartialValidation | undefined) {
    this.lineCount = partial?.rawLineCount;
    this.allLines = (partial?.droppedLines ?? 0) === 0;
  }
  has(field: HeaderField): boolean {
    return this.partial?.unreadable.has(field) !== true;
  }
  /** The field path of the i-th line: its position in the document, not in the partial report. */
  path(i: number): string {
    return `lines[${this.partial?.positions[i] ?? i}]`;
  }
}
