import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs, one line per event, tagged with the app's name. */
export function createLogger(app: string, level = 'info'): Logger {
  return pino({ name: app, level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime });
}
