import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, batchLength } from './delivery.js';

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
