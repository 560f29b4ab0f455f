// Flags shared by every verb, and the small conversions from text to meaning, each failing with a
// message that names the flag.
import { ConfigurationError } from '@countersign/core/errors';
import { parseInstant } from '@countersign/core/time/instant';
import type { Io } from './io.js';

export const FORMATS = ['text', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export function formatOf(value: string | undefined): Format {
  if (value === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new ConfigurationError({ message: `--format must be one of ${FORMATS.join(', ')} (got '${value}')` });
}

export function colourFor(io: Io): boolean {
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  return io.isTty;
}

export function instantOf(value: string | undefined, io: Io): Date {
  if (value === undefined) return io.now();
  try {
    return parseInstant(value, io.now());
  } catch (error) {
    throw new ConfigurationError({ message: `--at: ${(error as Error).message}` });
  }
}
