export * from './alarms.js';
export * from './balance.js';
export * from './constants.js';
export * from './dates.js';
export * from './effective.js';
export * from './evaluate.js';
export * from './protracted-loss.js';
export * from './statistics.js';
