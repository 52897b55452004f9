import { hasMessage, type MessageKey, useT } from './I18nProvider.js';

/** A facility type in the user's language (the registry's closed list, FACILITY_TYPES). */
export function useFacilityType(): (type: string) => string {
  const t = useT();
  return (type) => {
    const key = `facilityType.${type}`;
    return hasMessage(key) ? t(key as MessageKey) : type;
  };
}
