import { type DestinationStream, type Logger, pino } from 'pino';

/** Structured JSON logs, one event per line. Nothing the SDK holds (headers, credentials) is ever logged. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'vpce-target-sync' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
