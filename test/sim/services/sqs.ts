import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { MessageAttributeValue, Queue, SqsMessage } from '../state.ts';
import { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';
import { md5Hex, md5OfMessageAttributes } from './sqs-md5.ts';

/** SQS limits and defaults, from the SQS developer guide. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BATCH_ENTRIES = 10;
const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_RECEIVE = 10;
const QUEUE_ATTRIBUTE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  VisibilityTimeout: [0, 43_200],
  MessageRetentionPeriod: [60, 1_209_600],
  MaximumMessageSize: [1024, MAX_MESSAGE_BYTES],
  ReceiveMessageWaitTimeSeconds: [0, 20],
};
const FREE_FORM_ATTRIBUTES = [
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
];
const DEFAULT_VISIBILITY_SECONDS = 30;
/** How often a long poll looks for newly visible messages, in real ms. */
const LONG_POLL_INTERVAL_MS = 50;
// Characters SQS accepts in a message: #x9 #xA #xD and #x20 to #x10FFFF, minus surrogates and #xFFFE-#xFFFF.
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
];

function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

function sqsParams(params: Params): ParamReader {
  return new ParamReader(params, {
    missing: (name) => new AwsError('MissingParameter', `The request must contain the parameter ${name}.`),
    invalid: (name, value) => invalidValue(`Value ${String(value)} for parameter ${name} is invalid.`),
  });
}

function nonExistentQueue(): AwsError {
  return new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
}

/** Queues are found by the name at the end of the URL, whatever host the URL names. */
function queueOf(ctx: ServiceContext, url: string): Queue {
  const name = url.split('/').filter(Boolean).at(-1) ?? '';
  const queue = ctx.state.sqs.queues.get(name);
  if (!queue) throw nonExistentQueue();
  return queue;
}

function intInRange(
  value: number | undefined,
  name: string,
  [min, max]: readonly [number, number],
): number | undefined {
  if (value !== undefined && (value < min || value > max)) {
    throw invalidValue(
      `Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return value;
}

function createQueue(params: Params, ctx: ServiceContext): object {
  const p = sqsParams(params);
  const name = p.str('QueueName');
  if (!QUEUE_NAME.test(name)) {
    throw invalidValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  const attributes = p.strMap('Attributes');
  for (const [key, value] of Object.entries(attributes)) {
    const range = QUEUE_ATTRIBUTE_RANGES[key];
    if (range) intInRange(Number(value), key, range);
    else if (key === 'FifoQueue') throw invalidValue('FIFO queues are not simulated');
    else if (!FREE_FORM_ATTRIBUTES.includes(key))
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${key}.`);
  }
  const existing = ctx.state.sqs.queues.get(name);
  if (existing) {
    // CreateQueue is idempotent unless an attribute differs from the existing queue's.
    const differing = Object.keys(attributes).find((key) => existing.attributes[key] !== attributes[key]);
    if (differing) {
      throw new AwsError(
        'QueueAlreadyExists',
        `A queue already exists with the same name and a different value for attribute ${differing}`,
      );
    }
    return { QueueUrl: existing.url };
  }
  const queue: Queue = {
    name,
    url: `${ctx.baseUrl}/${ctx.accountId}/${name}`,
    arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`,
    attributes,
    createdAt: ctx.clock.now(),
    messages: [],
  };
  ctx.state.sqs.queues.set(name, queue);
  return { QueueUrl: queue.url };
}

function getQueueUrl(params: Params, ctx: ServiceContext): object {
  const queue = ctx.state.sqs.queues.get(sqsParams(params).str('QueueName'));
  if (!queue) throw nonExistentQueue();
  return { QueueUrl: queue.url };
}

/** Reads, checks and stores one message; shared by SendMessage and each batch entry. */
function enqueue(queue: Queue, entry: ParamReader, ctx: ServiceContext, now: number): SqsMessage {
  const body = entry.str('MessageBody');
  if (INVALID_BODY_CHARACTER.test(body)) {
    throw new AwsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const maxBytes = Number(queue.attributes.MaximumMessageSize ?? MAX_MESSAGE_BYTES);
  if (Buffer.byteLength(body) > maxBytes) {
    throw invalidValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxBytes} bytes.`,
    );
  }
  const delaySeconds =
    intInRange(entry.optInt('DelaySeconds'), 'DelaySeconds', [0, 900]) ??
    Number(queue.attributes.DelaySeconds ?? 0);
  const messageAttributes = readMessageAttributes(entry);
  const message: SqsMessage = {
    messageId: ctx.ids.uuid(),
    body,
    messageAttributes,
    md5OfBody: md5Hex(body),
    md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
    senderId: ctx.principal,
    sentAt: now,
    availableAt: now + delaySeconds * 1000,
    invisibleUntil: 0,
    receiveCount: 0,
    firstReceivedAt: undefined,
    receiptHandle: undefined,
    deleted: false,
  };
  queue.messages.push(message);
  return message;
}

function readMessageAttributes(entry: ParamReader): Record<string, MessageAttributeValue> {
  const attributes = entry.map('MessageAttributes');
  if (attributes.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidValue(
      `Number of message attributes [${attributes.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  return Object.fromEntries(
    attributes.map(([name, attribute]) => {
      const dataType = attribute.str('DataType');
      const stringValue = attribute.optStr('StringValue');
      const binaryValue = attribute.optStr('BinaryValue');
      const binary = dataType.startsWith('Binary');
      if (!/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
        throw invalidValue(
          `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
        );
      }
      if ((binary ? binaryValue : stringValue) === undefined) {
        throw invalidValue(
          `Message (user) attribute '${name}' must contain a non-empty value of type '${dataType}'.`,
        );
      }
      const value: MessageAttributeValue = binary
        ? { DataType: dataType, BinaryValue: binaryValue ?? '' }
        : { DataType: dataType, StringValue: stringValue ?? '' };
      return [name, value];
    }),
  );
}

function sendMessage(params: Params, ctx: ServiceContext): object {
  const p = sqsParams(params);
  const message = enqueue(queueOf(ctx, p.str('QueueUrl')), p, ctx, ctx.clock.now());
  return {
    MessageId: message.messageId,
    MD5OfMessageBody: message.md5OfBody,
    MD5OfMessageAttributes: message.md5OfMessageAttributes,
  };
}

function sendMessageBatch(params: Params, ctx: ServiceContext): object {
  const p = sqsParams(params);
  const queue = queueOf(ctx, p.str('QueueUrl'));
  const entries = p.list('Entries');
  if (entries.length === 0) {
    throw new AwsError(
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsError(
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const ids = entries.map((entry) => entry.str('Id'));
  const badId = ids.find((id) => !BATCH_ENTRY_ID.test(id));
  if (badId !== undefined) {
    throw new AwsError(
      'AWS.SimpleQueueService.InvalidBatchEntryId',
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.`,
    );
  }
  if (new Set(ids).size < ids.length) {
    throw new AwsError(
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      'Two or more batch entries in the request have the same Id.',
    );
  }
  const totalBytes = entries.reduce(
    (sum, entry) => sum + Buffer.byteLength(entry.optStr('MessageBody') ?? ''),
    0,
  );
  if (totalBytes > MAX_MESSAGE_BYTES) {
    throw new AwsError(
      'AWS.SimpleQueueService.BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes.`,
    );
  }
  const now = ctx.clock.now();
  const successful: object[] = [];
  const failed: object[] = [];
  entries.forEach((entry, i) => {
    const id = ids[i];
    try {
      const message = enqueue(queue, entry, ctx, now);
      successful.push({
        Id: id,
        MessageId: message.messageId,
        MD5OfMessageBody: message.md5OfBody,
        MD5OfMessageAttributes: message.md5OfMessageAttributes,
      });
    } catch (error) {
      // One bad entry fails alone; the rest of the batch is still sent.
      if (!(error instanceof AwsError)) throw error;
      failed.push({ Id: id, SenderFault: true, Code: error.code, Message: error.message });
    }
  });
  return { Successful: successful, Failed: failed };
}

async function receiveMessage(params: Params, ctx: ServiceContext): Promise<object> {
  const p = sqsParams(params);
  const queue = queueOf(ctx, p.str('QueueUrl'));
  const max = intInRange(p.optInt('MaxNumberOfMessages'), 'MaxNumberOfMessages', [1, MAX_RECEIVE]) ?? 1;
  const visibilitySeconds =
    intInRange(p.optInt('VisibilityTimeout'), 'VisibilityTimeout', [0, 43_200]) ??
    Number(queue.attributes.VisibilityTimeout ?? DEFAULT_VISIBILITY_SECONDS);
  const waitSeconds =
    intInRange(p.optInt('WaitTimeSeconds'), 'WaitTimeSeconds', [0, 20]) ??
    Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
  const systemAttributes = [...p.strList('AttributeNames'), ...p.strList('MessageSystemAttributeNames')];
  const attributeNames = p.strList('MessageAttributeNames');

  // Long polling waits in real time; simulated time still decides what is visible.
  const deadline = Date.now() + waitSeconds * 1000;
  let now = ctx.clock.now();
  let visible = visibleMessages(queue, now, max);
  while (visible.length === 0 && Date.now() < deadline) {
    await sleep(Math.min(LONG_POLL_INTERVAL_MS, deadline - Date.now()));
    now = ctx.clock.now();
    visible = visibleMessages(queue, now, max);
  }
  const messages = visible.map((message) => {
    message.receiveCount += 1;
    message.firstReceivedAt ??= now;
    message.invisibleUntil = now + visibilitySeconds * 1000;
    message.receiptHandle = Buffer.from(`${queue.name}:${message.messageId}:${ctx.ids.hex(16)}`).toString(
      'base64url',
    );
    return describeMessage(message, systemAttributes, attributeNames);
  });
  return messages.length > 0 ? { Messages: messages } : {};
}

function visibleMessages(queue: Queue, now: number, max: number): SqsMessage[] {
  return queue.messages
    .filter((m) => !m.deleted && m.availableAt <= now && m.invisibleUntil <= now)
    .slice(0, max);
}

function describeMessage(
  message: SqsMessage,
  systemNames: readonly string[],
  attributeNames: readonly string[],
): object {
  const system: Record<string, string> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
  };
  const wantedSystem = SYSTEM_ATTRIBUTES.filter(
    (name) => systemNames.includes('All') || systemNames.includes(name),
  );
  const attributes = Object.fromEntries(
    Object.entries(message.messageAttributes).filter(([name]) =>
      attributeNames.some((pattern) => attributeMatches(pattern, name)),
    ),
  );
  const hasAttributes = Object.keys(attributes).length > 0;
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    Attributes:
      wantedSystem.length > 0
        ? Object.fromEntries(wantedSystem.map((name) => [name, system[name]]))
        : undefined,
    MessageAttributes: hasAttributes ? attributes : undefined,
    MD5OfMessageAttributes: hasAttributes ? md5OfMessageAttributes(attributes) : undefined,
  };
}

/** `All`, `.*`, an exact name, or a `prefix.*` pattern, as ReceiveMessage accepts. */
function attributeMatches(pattern: string, name: string): boolean {
  if (pattern === 'All' || pattern === '.*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function deleteMessage(params: Params, ctx: ServiceContext): object {
  const p = sqsParams(params);
  const queue = queueOf(ctx, p.str('QueueUrl'));
  const handle = p.str('ReceiptHandle');
  const [queueName, messageId] = Buffer.from(handle, 'base64url').toString().split(':');
  const message =
    queueName === queue.name ? queue.messages.find((m) => m.messageId === messageId) : undefined;
  if (!message) {
    throw new AwsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
      404,
    );
  }
  message.deleted = true;
  return {};
}

/** Every SQS operation the simulator answers. */
export const sqsOperations: Operations = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
};
