/** The inspection screens' closed lists in the user's language; a value this app does not know is shown as it came. */
import { hasMessage, type Translate } from '../../i18n/I18nProvider.js';

/** `prefix.value` in the user's language; else `fallback` (the value as it came, or the server's words). */
function label(prefix: string, value: string, t: Translate, fallback = value): string {
  const key = `${prefix}.${value}`;
  return hasMessage(key) ? t(key) : fallback;
}

/** An inspection type (domain/inspections INSPECTION_TYPES). */
export const inspectionTypeLabel = (type: string, t: Translate) => label('insp.typeOf', type, t);

/** An inspection's status as the server keeps it (scheduled, in-progress). */
export const inspectionStatusLabel = (status: string, t: Translate) => label('insp.status', status, t);

/** A finding's type (gross-, partial-, bias-defect) and severity (low, medium, high). */
export const findingTypeLabel = (type: string, t: Translate) => label('insp.finding.type', type, t);
export const severityLabel = (severity: string, t: Translate) => label('insp.finding.severity', severity, t);

/** An inspection type's notice rule (domain/inspections INSPECTION_TYPE_INFO) in the user's language. */
export const noticeRuleText = (t: Translate, type: string | undefined, rule: string) =>
  type === undefined ? rule : label('insp.noticeRule', type, t, rule);

/** Why the notice rule refused a plan (NOTICE_RULE_VIOLATED's reasonCode) in the user's language. */
export const noticeReasonText = (t: Translate, code: string | undefined, reason: string) =>
  code === undefined ? reason : label('insp.plan.reason', code, t, reason);
