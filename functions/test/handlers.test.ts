import { Writable } from 'node:stream';
import { ENV } from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createHandler } from '../src/handlers/index.ts';
import { lazyRuntime } from '../src/handlers/setup.ts';

/** Nothing listens on port 9 (discard): a call that got this far would fail, not reach AWS. */
const NO_AWS = {
  region: 'eu-west-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  maxAttempts: 1,
};
const context = (awsRequestId: string) =>
  ({ awsRequestId, getRemainingTimeInMillis: () => 120_000 }) as unknown as Context;
const emptyBatch = { Records: [] } as unknown as SQSEvent;
const scheduleTick = { 'detail-type': 'Scheduled Event', source: 'aws.events' } as unknown as ScheduledEvent;

/** A log destination that keeps each JSON line. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('the handlers do no work at import', () => {
  it('importing them reads no configuration: a bad value in the environment does not fail the import', async () => {
    vi.stubEnv(ENV.scheduleMinutes, 'often');
    vi.resetModules();
    try {
      const module = await import('../src/handlers/index.ts');
      expect(typeof module.handler).toBe('function');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a bad configuration fails the first invocation, and every later one, naming the variable', async () => {
    const handler = createHandler({ env: { [ENV.scheduleMinutes]: 'often' }, clientConfig: NO_AWS });
    const message = new RegExp(
      `^vpce-target-sync configuration error: environment variable ${ENV.scheduleMinutes} is "often"`,
    );
    await expect(handler(scheduleTick, context('req-1'))).rejects.toThrow(message);
    await expect(handler(emptyBatch, context('req-2'))).rejects.toThrow(message);
  });

  it('the configuration comes from the options, not from process.env', async () => {
    vi.stubEnv(ENV.logLevel, 'not-a-level');
    try {
      const { lines, stream } = logLines();
      const handler = createHandler({
        env: { [ENV.logLevel]: 'info' },
        clientConfig: NO_AWS,
        logDestination: stream,
      });
      await expect(handler(emptyBatch, context('req-env'))).resolves.toEqual({ batchItemFailures: [] });
      expect(lines.map((l) => [l.msg, l.awsRequestId])).toEqual([['batch completed', 'req-env']]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('one runtime per handler, built by its first invocation', () => {
  it('is built on first use and the same one (configuration, logger, SDK clients) is reused after', () => {
    const runtime = lazyRuntime({ env: {}, clientConfig: NO_AWS });
    expect(runtime.built()).toBeUndefined();
    const first = runtime.get();
    expect(runtime.built()).toBe(first);
    expect(runtime.get()).toBe(first);
    expect(runtime.get().clients.ec2).toBe(first.clients.ec2);
  });

  it('is not kept when the configuration is bad: there is no logger to report with', () => {
    const runtime = lazyRuntime({ env: { [ENV.dryRun]: 'yes' } });
    expect(() => runtime.get()).toThrow(new RegExp(ENV.dryRun));
    expect(runtime.built()).toBeUndefined();
  });

  it('serves warm invocations of both paths with one logger', async () => {
    const { lines, stream } = logLines();
    const handler = createHandler({ env: {}, clientConfig: NO_AWS, logDestination: stream });
    await handler(emptyBatch, context('req-a'));
    await handler(emptyBatch, context('req-b'));
    expect(lines.map((l) => [l.msg, l.awsRequestId, l.service])).toEqual([
      ['batch completed', 'req-a', 'vpce-target-sync'],
      ['batch completed', 'req-b', 'vpce-target-sync'],
    ]);
  });
});
