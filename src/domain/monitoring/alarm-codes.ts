/**
 * The alarms monitoring devices raise (issue 18 §5, decision 0030); they are listed with the
 * balance and transfer alarms in GET /api/alarms and each opens one case.
 */
export const DEVICE_ALARM_CODES = [
  'DEVICE_SILENT',
  'DEVICE_CHAIN_BROKEN',
  'DEVICE_AUTH_FAILED',
  'SEAL_OPENED',
  'CAMERA_UNDECLARED',
  'GATE_MISMATCH',
] as const;
export type DeviceAlarmCode = (typeof DEVICE_ALARM_CODES)[number];
