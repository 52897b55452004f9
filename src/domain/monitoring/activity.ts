import type { ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';

/**
 * An activity a state declares at a containment (issue 18 §5): the operator will work in it
 * between two times, so a camera that sees movement there while its seal is open is explained.
 * A declaration covers at most a month: a standing exemption would blind the camera.
 */
export const ACTIVITY_MAX_DAYS = 31;

/** What is wrong with the window [from, to) (RFC 3339 times, already parsed as such). */
export function checkActivityWindow(from: string, to: string): ErrorDetail[] {
  const span = Date.parse(to) - Date.parse(from);
  if (!(span > 0))
    return [
      {
        field: 'to',
        ...problemOf('FIELD_INVALID.notAfterFrom', { from, to }),
        message: 'to must be after from',
      },
    ];
  if (span > ACTIVITY_MAX_DAYS * 86_400_000)
    return [
      {
        field: 'to',
        ...problemOf('FIELD_INVALID.spanDays', { max: ACTIVITY_MAX_DAYS }),
        message: `a declared activity covers at most ${ACTIVITY_MAX_DAYS} days`,
      },
    ];
  return [];
}
