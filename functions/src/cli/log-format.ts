/** The CLI's log line formats (`--log-format`); apart from logger.ts so that parsing loads no logger. */
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
