export { checkGlob, compileGlob, expandGlob, expandGlobDetailed, globRegExp } from './pattern.js';
export type { CodeRange, ExpandedGlob, GlobSegment, GlobToken } from './pattern.js';
export { PathIndex, placeGlob } from './path-index.js';
export type { BucketKind, Placement } from './path-index.js';
