export { DURATION_PATTERN, MAX_FORMATTED_DURATION_MS, formatDuration, parseDuration } from './duration.js';
export { INSTANT_FORMS, isValidTimeZone, parseInstant, wallClock } from './instant.js';
export type { WallClock } from './instant.js';
export { checkCron, compileFreeze, freezeState } from './freeze.js';
export type { CompiledFreeze, FreezeState, FreezeWindowSpec } from './freeze.js';
