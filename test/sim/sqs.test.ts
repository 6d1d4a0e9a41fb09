import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
let sqs: SQSClient;
let queueUrl: string;

beforeEach(async () => {
  sim = await startSimulator();
  sqs = clientsFor(sim).sqs;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'events' }))).QueueUrl ?? '';
});
afterEach(() => sim.stop());

const receive = (
  extra: { VisibilityTimeout?: number; MaxNumberOfMessages?: number; WaitTimeSeconds?: number } = {},
) =>
  sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      ...extra,
    }),
  );

describe('queues', () => {
  it('creates a queue under the simulator URL and account, idempotently', async () => {
    expect(queueUrl).toBe(`${sim.url}/123456789012/events`);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'events' }))).resolves.toMatchObject({
      QueueUrl: queueUrl,
    });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'events' }))).resolves.toMatchObject({
      QueueUrl: queueUrl,
    });
  });

  it('refuses the same name with different attributes, unknown queues and bad names', async () => {
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'events', Attributes: { DelaySeconds: '5' } })),
    ).rejects.toMatchObject({
      name: 'QueueNameExists',
      Code: 'QueueAlreadyExists',
    });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
    });
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'bad name' }))).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
  });
});

describe('messages', () => {
  it('sends and receives a message with attributes; the client checks the body MD5', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"detail-type":"AWS API Call via CloudTrail"}',
        MessageAttributes: { source: { DataType: 'String', StringValue: 'aws.ec2' } },
      }),
    );
    const [message] = (await receive()).Messages ?? [];
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"detail-type":"AWS API Call via CloudTrail"}',
      MessageAttributes: { source: { DataType: 'String', StringValue: 'aws.ec2' } },
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: { ApproximateReceiveCount: '1', SenderId: 'arn:aws:iam::123456789012:role/default' },
    });
  });

  it('digests message attributes the way SQS documents', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'x',
        MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } },
      }),
    );
    // name, type and value each with a 4-byte length, and transport byte 1 before a string value.
    const bytes = Buffer.from([0, 0, 0, 1, 0x61, 0, 0, 0, 6, ...Buffer.from('String'), 1, 0, 0, 0, 1, 0x76]);
    expect(sent.MD5OfMessageAttributes).toBe(createHash('md5').update(bytes).digest('hex'));
  });

  it('holds delayed messages back on the simulated clock', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 10 }));
    expect((await receive()).Messages).toBeUndefined();
    sim.clock.advance(10_000);
    expect((await receive()).Messages?.map((m) => m.Body)).toEqual(['later']);
  });

  it('refuses delays over 900 seconds', async () => {
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 901 })),
    ).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
    expect(sim.sentMessages('events')).toEqual([]);
  });

  it('hides a received message for the visibility timeout, then delivers it again', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'retry me' }));
    expect((await receive({ VisibilityTimeout: 60 })).Messages).toHaveLength(1);
    expect((await receive()).Messages).toBeUndefined();
    sim.clock.advance(60_000);
    const again = (await receive()).Messages?.[0];
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('deletes received messages and refuses invalid receipt handles', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'done' }));
    const [message] = (await receive({ VisibilityTimeout: 0 })).Messages ?? [];
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle ?? '' }),
    );
    expect((await receive()).Messages).toBeUndefined();
    expect(sim.sentMessages('events').map((m) => [m.body, m.deleted])).toEqual([['done', true]]);
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'garbage' })),
    ).rejects.toMatchObject({
      name: 'ReceiptHandleIsInvalid',
    });
  });

  it('returns at most MaxNumberOfMessages', async () => {
    for (const body of ['1', '2', '3'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    expect((await receive({ MaxNumberOfMessages: 2 })).Messages?.map((m) => m.Body)).toEqual(['1', '2']);
    await expect(receive({ MaxNumberOfMessages: 11 })).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
  });

  it('long-polls until a message arrives', async () => {
    const polling = receive({ WaitTimeSeconds: 5 });
    setTimeout(
      () => void sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'arrived' })),
      100,
    );
    expect((await polling).Messages?.map((m) => m.Body)).toEqual(['arrived']);
  });

  it('sends batches, failing bad entries alone', async () => {
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'ok', MessageBody: 'a' },
          { Id: 'late', MessageBody: 'b', DelaySeconds: 901 },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['ok']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'late', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    expect(sim.sentMessages('events').map((m) => m.body)).toEqual(['a']);
  });

  it('refuses batches that are too large or have duplicate ids', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
    ).rejects.toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
    });
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'a', MessageBody: 'x' },
            { Id: 'a', MessageBody: 'y' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('fails for a queue that does not exist', async () => {
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: `${sim.url}/123456789012/nope`, MessageBody: 'x' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
