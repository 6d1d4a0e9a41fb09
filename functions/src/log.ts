import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** Structured JSON logs, one event per line. Nothing the SDK holds (headers, credentials) is ever logged. */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  extra: Pick<LoggerOptions, 'hooks'> = {},
): Logger {
  const options = {
    level,
    base: { service: 'vpce-target-sync' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    ...extra,
  };
  return destination ? pino(options, destination) : pino(options);
}
