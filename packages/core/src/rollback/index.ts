// The rollback core in one import (`@countersign/core/rollback/index`); each module is also a deep
// import of its own (`@countersign/core/rollback/run`, `.../probe`, ...).
export * from './types.js';
export * from './expect.js';
export * from './mask.js';
export * from './probe.js';
export * from './loop.js';
export * from './known-good.js';
export * from './guardrails.js';
export * from './record.js';
export * from './render.js';
export * from './run.js';
