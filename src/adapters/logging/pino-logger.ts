import { pino } from 'pino';
import type { Logger } from '../../ports/logger.js';

/** Structured JSON logs on stdout. Never log keys or action parameters. */
export function createPinoLogger(level: string): Logger {
  return pino({ level, base: { service: 'whirl' } }) as unknown as Logger;
}
