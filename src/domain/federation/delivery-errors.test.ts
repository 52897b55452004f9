import { describe, expect, it } from 'vitest';
import { deliveryErrorCode, formatDeliveryError } from './delivery-errors.js';

describe('a delivery error keeps its code for the browser', () => {
  it('reads the code back from the stored text', () => {
    expect(deliveryErrorCode(formatDeliveryError('PEER_UNREACHABLE', 'fetch failed'))).toBe(
      'PEER_UNREACHABLE',
    );
    expect(deliveryErrorCode('UNAVAILABLE: the database is busy: try later')).toBe('UNAVAILABLE');
  });
  it('answers null for none and for a row written before codes', () => {
    expect(deliveryErrorCode(null)).toBeNull();
    expect(deliveryErrorCode('no acknowledgement')).toBeNull();
    expect(deliveryErrorCode('fetch failed: ECONNREFUSED')).toBeNull();
  });
});
