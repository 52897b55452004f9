/**
 * The title of a case an alarm opened, as a code and values (its alarm's source and the
 * references the case keeps in `about`) and as the English text the case record stores. The
 * server writes the text (the case record, the API, the CLI); the browser recomputes it from the
 * case's `about` and, when it equals the stored title (so no one entered another), words the
 * code and values in the user's language (issue 16 item 11). A title a person wrote is theirs.
 */
export interface AlarmCaseAbout {
  readonly transfer?: string;
  readonly period?: { readonly from: string; readonly to: string };
  readonly element?: string;
  readonly inspection?: string;
  readonly finding?: string;
  readonly obligation?: string;
  readonly seal?: string;
  readonly provision?: string;
  readonly declaration?: string;
  readonly alarm?: Readonly<Record<string, string>>;
}

export interface AlarmCaseTitle {
  /** The alarm's source: balance, sequence, srd, transfer-unmatched, notice, deadline, seal … */
  readonly code: string;
  readonly values: Readonly<Record<string, string>>;
  readonly text: string;
}

const title = (code: string, values: Record<string, string>, text: string): AlarmCaseTitle => ({
  code,
  values,
  text,
});

export function alarmCaseTitle(about: AlarmCaseAbout, mba?: string): AlarmCaseTitle | undefined {
  const a = about.alarm ?? {};
  const s = (v: string | undefined) => v ?? '';
  switch (a.source) {
    case 'balance':
    case 'sequence': {
      const v = { test: s(a.test), mba: s(mba), element: s(about.element), at: s(about.period?.from) };
      return title(a.source, v, `${v.test} alarm on ${v.mba} ${v.element} at ${v.at}`);
    }
    case 'srd':
      return title(
        'srd',
        { transfer: s(about.transfer) },
        `shipper/receiver difference on ${s(about.transfer)}`,
      );
    case 'transfer-unmatched':
      return title(
        'transfer-unmatched',
        { transfer: s(about.transfer) },
        `unmatched transfer ${s(about.transfer)}`,
      );
    case 'notice': {
      const v = { finding: s(a.finding), transfer: s(about.transfer) };
      return title('notice', v, `${v.finding} advance notice for transfer ${v.transfer}`);
    }
    case 'deadline': {
      const v = { status: s(a.status), obligation: s(about.obligation) };
      return title('deadline', v, `${v.status} report: ${v.obligation}`);
    }
    case 'seal': {
      const v = { event: s(a.event), seal: s(about.seal) };
      return title('seal', v, `seal ${v.event} on ${v.seal}`);
    }
    case 'verification': {
      const v = { finding: s(about.finding), inspection: s(about.inspection) };
      return title('verification', v, `finding ${v.finding} of inspection ${v.inspection}`);
    }
    case 'compatibility': {
      // The compatibility review's own cases name the entry's status (missing, partial, conflicting).
      const v = { provision: s(about.provision), status: s(a.status) };
      return v.status === ''
        ? title('compatibility', v, `domestic law and ${v.provision}`)
        : title('compatibility', v, `Domestic law and ${v.provision}: ${v.status}`);
    }
    case 'device': {
      const v = { code: s(a.code), device: s(about.seal), at: s(a.at) };
      return title('device', v, `${v.code} on device ${v.device} at ${v.at}`);
    }
    case 'declaration': {
      const v = { finding: s(a.finding), check: s(a.check), item: s(about.declaration) };
      const check = v.check === 'annex-ii' ? 'Annex II' : 'source-material';
      return title('declaration', v, `${v.finding} ${check} item ${v.item}`);
    }
    case 'split-view': {
      const v = { origin: s(a.origin), splitView: s(a.splitView) };
      return title('split-view', v, `split view of log ${v.origin}`);
    }
    default:
      return undefined;
  }
}
