export * from './keys.js';
export * from './registry.types.js';
