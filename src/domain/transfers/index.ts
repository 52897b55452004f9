export * from './book.js';
export * from './match.js';
export * from './notices.js';
export type * from './transfer.types.js';
