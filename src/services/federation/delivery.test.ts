import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, batchLength, batchSizeFor } from './delivery.js';
import { INBOX_BATCH, INBOX_BATCH_BEFORE } from './inbox.js';

describe('the size of a delivery batch', () => {
  it('stops before the byte budget and always sends one bundle, however big', () => {
    const mb = 1024 * 1024;
    expect(BATCH_BYTES).toBeLessThan(64 * mb); // under the receiver's default body limit
    expect(batchLength([1, 2, 3], 10)).toBe(3);
    expect(batchLength([4, 4, 4], 10)).toBe(2);
    expect(batchLength([20, 1], 10)).toBe(1);
    // Three 100 000-line ICRs (~27 MB of base64 each) go one per request.
    expect(batchLength([27 * mb, 27 * mb, 27 * mb])).toBe(1);
    expect(batchLength([])).toBe(0);
  });
});

describe('bundles per batch (decision 0080)', () => {
  it('sends a peer what every node takes until it says it takes more, and never more than it says', () => {
    expect(INBOX_BATCH_BEFORE).toBe(200); // what nodes before decision 0080 take: never more to them
    expect(batchSizeFor(undefined)).toBe(INBOX_BATCH_BEFORE);
    expect(batchSizeFor(INBOX_BATCH)).toBe(500);
    expect(batchSizeFor(300)).toBe(300);
    expect(batchSizeFor(0)).toBe(1);
    expect(batchSizeFor(-5)).toBe(1);
  });
});
