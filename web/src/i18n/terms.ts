import { hasMessage, type MessageKey, type Translate, useT } from './I18nProvider.js';

/** A facility type in the user's language (the registry's closed list, FACILITY_TYPES). */
export function useFacilityType(): (type: string) => string {
  const t = useT();
  return (type) => {
    const key = `facilityType.${type}`;
    return hasMessage(key) ? t(key as MessageKey) : type;
  };
}

/**
 * A code of one of the domain's closed lists in the user's language, from the message
 * `<prefix><code>`; a code the catalogue does not know yet is shown as it is.
 */
export function codeLabel(prefix: string, code: string, t: Translate): string {
  const key = `${prefix}${code}`;
  return hasMessage(key) ? t(key) : code;
}

/** An institutional duty in the user's language (the legal register's INSTITUTIONAL_DUTIES). */
export function dutyName(t: Translate, duty: string): string {
  return codeLabel('duty.', duty, t);
}

/** The kind of institution that holds a duty (INSTITUTION_KINDS), in the user's language. */
export function institutionKindName(t: Translate, kind: string): string {
  return codeLabel('institution.', kind, t);
}

/**
 * A log record's kind in the user's language (RECORD_KINDS); the identifier stays beside it for
 * experts, since the CLI, the API and the audit speak it.
 */
export function recordKindName(t: Translate, kind: string): string {
  const key = `record.kind.${kind}`;
  return hasMessage(key) ? t(key) : t('record.kind.unknown', { kind });
}

/**
 * An Additional Protocol article's subject in the user's language (`decl.article.<article>`);
 * the domain keeps the English for the API and the CLI.
 */
export function articleTitle(t: Translate, spec: { article: string; title: string }): string {
  const key = `decl.article.${spec.article}`;
  return hasMessage(key) ? t(key) : spec.title;
}

const ARRANGEMENT_KIND_KEYS: Record<string, string> = {
  'key-registration': 'net.kind.keyRegistration',
  report: 'net.kind.report',
  'transfer-notice': 'net.kind.transferNotice',
  'inspection-statement': 'net.kind.inspectionStatement',
  'case-transition': 'net.kind.caseTransition',
};

/** A kind an arrangement names (FORWARDABLE_KINDS, decision 0044) in the user's language. */
export function arrangementKindName(t: Translate, kind: string): string {
  const key = ARRANGEMENT_KIND_KEYS[kind];
  return key !== undefined && hasMessage(key) ? t(key) : kind;
}

/** A joint inspection's activity (JOINT_ACTIVITIES) in the user's language; another code as it is. */
export function activityName(t: Translate, activity: string): string {
  return codeLabel('insp.activity.', activity, t);
}
