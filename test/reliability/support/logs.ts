import { createLogger } from '@vpce-target-sync/functions';

/** One parsed pino line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/** Collects the product's structured logs in memory, through the same createLogger the CLI and Lambda use. */
export class LogCapture {
  readonly lines: LogLine[] = [];
  private partial = '';

  readonly destination = {
    write: (chunk: string): void => {
      const text = this.partial + chunk;
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) this.lines.push(JSON.parse(part) as LogLine);
    },
  };

  logger(level = 'info'): ReturnType<typeof createLogger> {
    return createLogger(level, this.destination);
  }

  /** Lines logged from `from` on (an index taken with `mark()`). */
  since(from: number): LogLine[] {
    return this.lines.slice(from);
  }

  mark(): number {
    return this.lines.length;
  }
}
