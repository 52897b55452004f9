import { describe, expect, it } from 'vitest';
import { alarmCaseTitle } from './alarm-title.js';

describe("an alarm case's title as code and values (issue 16 item 11)", () => {
  it('keeps the English text the case records have always stored', () => {
    const cases: [Parameters<typeof alarmCaseTitle>, string][] = [
      [
        [
          {
            element: 'U',
            period: { from: '2026-03-31', to: '2026-03-31' },
            alarm: { source: 'balance', test: 'muf-3sigma' },
          },
          'XA-P1',
        ],
        'muf-3sigma alarm on XA-P1 U at 2026-03-31',
      ],
      [[{ transfer: 'T-1', alarm: { source: 'srd' } }], 'shipper/receiver difference on T-1'],
      [[{ transfer: 'T-2', alarm: { source: 'transfer-unmatched' } }], 'unmatched transfer T-2'],
      [
        [{ transfer: 'T-3', alarm: { source: 'notice', finding: 'late' } }],
        'late advance notice for transfer T-3',
      ],
      [
        [{ obligation: 'ICR XA-P1 2026-03', alarm: { source: 'deadline', status: 'missing' } }],
        'missing report: ICR XA-P1 2026-03',
      ],
      [[{ seal: 'S-9', alarm: { source: 'seal', event: 'tamper', since: 'x' } }], 'seal tamper on S-9'],
      [
        [{ inspection: 'I-1', finding: 'F-2', alarm: { source: 'verification' } }],
        'finding F-2 of inspection I-1',
      ],
      [[{ provision: 'CSA-153 §7', alarm: { source: 'compatibility' } }], 'domestic law and CSA-153 §7'],
      [
        [{ provision: 'CSA-153 §7', alarm: { source: 'compatibility', status: 'partial' } }],
        'Domestic law and CSA-153 §7: partial',
      ],
      [
        [{ seal: 'DEV-1', alarm: { source: 'device', code: 'SEAL_OPENED', at: '2026-05-01T10:00:00Z' } }],
        'SEAL_OPENED on device DEV-1 at 2026-05-01T10:00:00Z',
      ],
      [
        [{ declaration: 'D-1#3', alarm: { source: 'declaration', check: 'annex-ii', finding: 'unmatched' } }],
        'unmatched Annex II item D-1#3',
      ],
    ];
    for (const [args, text] of cases) expect(alarmCaseTitle(...args)?.text).toBe(text);
  });

  it('gives the code and values the browser words, and nothing for a case no alarm opened', () => {
    expect(alarmCaseTitle({ transfer: 'T-3', alarm: { source: 'notice', finding: 'late' } })).toMatchObject({
      code: 'notice',
      values: { finding: 'late', transfer: 'T-3' },
    });
    expect(alarmCaseTitle({ report: 'R-1' } as never)).toBeUndefined();
  });
});
