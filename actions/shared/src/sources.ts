import { ConfigurationError } from '@countersign/core';
import type { ApprovalSourceName } from '@countersign/github';

export const SOURCE_NAMES: readonly ApprovalSourceName[] = ['issue-comments', 'pull-request-reviews', 'environment'];
export const DEFAULT_SOURCES = SOURCE_NAMES.join(',');

export function parseSources(name: string, items: readonly string[]): ApprovalSourceName[] {
  const unknown = items.filter((item) => !(SOURCE_NAMES as readonly string[]).includes(item));
  if (unknown.length > 0 || items.length === 0)
    throw new ConfigurationError({
      message: `input ${name} must list some of ${SOURCE_NAMES.join(', ')} (got '${items.join(',')}')`,
    });
  return items as ApprovalSourceName[];
}
