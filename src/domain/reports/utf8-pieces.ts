/**
 * Bytes decoded at a time (decision 0067). Small on purpose: each piece's string fits where the
 * previous pieces' were freed, while big strings need fresh memory, slow to come by on a loaded
 * machine. Decoding and reading the records of the 61 MB bench body cost the same CPU as the
 * whole body at once with pieces of 16 or 64 KiB, 1.7 times that with 512 KiB.
 */
export const PIECE_BYTES = 64 * 1024;

/** Thrown by Utf8Pieces when the bytes are not UTF-8; parseReportCsvSteps answers MALFORMED.notUtf8. */
export const NOT_UTF8 = new Error('not UTF-8');

/**
 * The body's text a piece at a time (issue 15 item 9, decision 0067). Decoding a 60 MB body at
 * once held the event loop for its whole length (1.9 s measured under load, most of it spent
 * getting 60 MB of fresh memory) and kept the text, as big as the body, through all of parsing.
 * A streaming decoder carries a character cut between two pieces over to the next; the BOM is
 * dropped and invalid bytes are refused as by decoding the whole body.
 */
export class Utf8Pieces {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private at = 0;
  private flushed = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly pieceBytes: number,
  ) {}

  readonly next = (): string | undefined => {
    try {
      if (this.at < this.bytes.length) {
        const end = Math.min(this.bytes.length, this.at + this.pieceBytes);
        const piece = this.decoder.decode(this.bytes.subarray(this.at, end), { stream: true });
        this.at = end;
        return piece;
      }
      if (this.flushed) return undefined;
      this.flushed = true;
      // An incomplete character at the very end is refused here.
      return this.decoder.decode();
    } catch {
      throw NOT_UTF8;
    }
  };
}
