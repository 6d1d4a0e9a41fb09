import { readFile } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { type EventsResult, handleMessages, type QueueRecord } from '../events/handle.ts';
import type { Requeuer } from '../events/requeue.ts';
import type { ReconcileDeps } from '../reconcile/reconcile.ts';
import { type RunReport, summarize } from '../reconcile/report.ts';
import type { Command } from './args.ts';
import { EXIT, exitCodeOf } from './exit.ts';
import { toJson, toTable } from './format.ts';

type HandleEvent = Extract<Command, { name: 'handle-event' }>;

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An SQS batch ({ Records }), an array of events, or one event, as queue records. */
export function toRecords(input: unknown): QueueRecord[] {
  if (
    input &&
    typeof input === 'object' &&
    !Array.isArray(input) &&
    Array.isArray((input as { Records?: unknown }).Records)
  ) {
    return (input as { Records: unknown[] }).Records.map((r, i) => {
      const record = r as { messageId?: unknown; body?: unknown };
      return {
        messageId: typeof record.messageId === 'string' ? record.messageId : `record-${i + 1}`,
        body: typeof record.body === 'string' ? record.body : JSON.stringify(record.body ?? null),
      };
    });
  }
  const events = Array.isArray(input) ? input : [input];
  return events.map((event, i) => ({ messageId: `event-${i + 1}`, body: JSON.stringify(event) }));
}

/** `handle-event FILE|-`: the Lambda's event path on saved events; re-queues are printed, not sent. */
export async function handleEventCommand(
  cmd: HandleEvent,
  config: Config,
  deps: ReconcileDeps,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const input = await readEvents(cmd.file, err);
  if (!input.ok) return EXIT.usage;
  const printOnly: Requeuer = { send: async () => {} };
  const result = await handleMessages(
    deps,
    printOnly,
    {
      dryRun: cmd.dryRun,
      publishMetrics: cmd.publishMetrics,
      perSiteMetrics: config.perSiteMetrics,
      ownRoleArn: config.roleArn,
    },
    toRecords(input.value),
  );
  const report = result.report ?? { sites: [], summary: summarize([], cmd.dryRun) };
  if (cmd.json) printJson(result, report, out);
  else printText(result, report, out);
  if (result.failedMessageIds.length > 0) return EXIT.siteErrors;
  return exitCodeOf(report, cmd.detailedExitcode);
}

/** The file's (or stdin's) JSON; a usage error on `err` when it cannot be read or parsed. */
async function readEvents(
  file: string,
  err: NodeJS.WritableStream,
): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = await readInput(file);
  } catch (error) {
    err.write(`error: cannot read ${name}: ${(error as Error).message}\n`);
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    err.write(
      `error: ${name} is not JSON (${(error as Error).message}); expected an EventBridge event, an array of events or an SQS batch\n`,
    );
    return { ok: false };
  }
}

function printJson(result: EventsResult, report: RunReport, out: NodeJS.WritableStream): void {
  out.write(
    toJson(report, {
      ignored: result.ignored,
      notInScope: result.notInScope,
      requeued: result.requeued,
      failedMessageIds: result.failedMessageIds,
    }),
  );
}

function printText(result: EventsResult, report: RunReport, out: NodeJS.WritableStream): void {
  for (const i of result.ignored) out.write(`ignored ${i.messageId}: ${i.reason}\n`);
  // What the events named that no site answers to: said, so an empty run is not a mystery.
  for (const n of result.notInScope) out.write(`not in scope ${n.messageId}: ${n.reason}\n`);
  if (result.report && (report.sites.length > 0 || result.notInScope.length + result.ignored.length === 0))
    out.write(toTable(report));
  for (const r of result.requeued) {
    out.write(`re-queued ${r.targetGroupArn} (attempt ${r.attempt}, in ${r.delaySeconds} s): ${r.reason}\n`);
  }
  for (const id of result.failedMessageIds)
    out.write(`failed ${id}: a transient AWS error; the queue would retry it\n`);
}
