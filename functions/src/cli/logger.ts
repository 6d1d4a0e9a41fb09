import type { Logger } from 'pino';
import pretty from 'pino-pretty';
import { createLogger } from '../log.ts';
import type { LogFormat } from './log-format.ts';

/** pino's numeric level of `error`. */
const ERROR_LEVEL = 50;

/**
 * The CLI's logger, on stderr: readable text (pino-pretty) on a terminal, JSON lines otherwise or
 * with `--log-format json`. At the default level a site's error is printed once, in the table or
 * the JSON document, not a second time as a log line; run-wide failures are still logged.
 */
export function cliLogger(
  level: string,
  format: LogFormat,
  options: { readonly levelWasSet: boolean; readonly stream?: NodeJS.WriteStream } = { levelWasSet: false },
): Logger {
  const stream = options.stream ?? process.stderr;
  const destination =
    format === 'text'
      ? pretty({
          destination: stream,
          sync: true,
          colorize: stream.isTTY === true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,service',
        })
      : stream;
  const hooks = options.levelWasSet
    ? {}
    : {
        hooks: {
          logMethod(this: Logger, args: Parameters<Logger['error']>, method: Logger['error'], level: number) {
            const [fields] = args as unknown[];
            const forSite = typeof fields === 'object' && fields !== null && 'site' in fields;
            if (level >= ERROR_LEVEL && forSite) return;
            method.apply(this, args);
          },
        },
      };
  return createLogger(level, destination, hooks);
}
