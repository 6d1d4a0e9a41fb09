import { readFileSync } from 'node:fs';
import {
  buildRequeueMessage,
  interpretEvent,
  interpretQueueMessage,
  parseRequeueMessage,
  type RequeueMessage,
} from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

const FIXTURES = new URL('../../test/fixtures/events/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/docs-s3-vpce/6d0ecf831eec9f09';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const OWN_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-ReconcilerRole8B1C4C2A-Xy1Zk9QwErTy';

const valid = (): RequeueMessage =>
  buildRequeueMessage({ targetGroupArns: [TG], attempt: 1, reason: `endpoint ${VPCE} is pending` });

describe('buildRequeueMessage', () => {
  it('builds the versioned message, duplicates dropped', () => {
    expect(
      buildRequeueMessage({ targetGroupArns: [TG, TG], endpointIds: [VPCE], attempt: 2, reason: 'pending' }),
    ).toEqual({
      kind: 'vpce-target-sync/requeue',
      version: 1,
      targetGroupArns: [TG],
      endpointIds: [VPCE],
      attempt: 2,
      reason: 'pending',
    });
  });

  it('reads a message of the release that re-checked through the queue, dropping its `until` and `recheck`', () => {
    // Messages in flight during an upgrade: the sites are reconciled; the fields mean nothing now.
    const older = { ...valid(), until: 1_800_000, recheck: true };
    const parsed = parseRequeueMessage(older);
    expect(parsed).toEqual({ ok: true, value: valid() });
  });

  it('round-trips through the queue: what the producer sends is what the consumer reads', () => {
    const message = buildRequeueMessage({ endpointIds: [VPCE], attempt: 3, reason: 'still pending' });
    expect(interpretQueueMessage(JSON.stringify(message))).toEqual({ kind: 'requeue', message });
  });

  it.each([
    ['no site', { attempt: 1, reason: 'x' }, /names no site/],
    [
      'a malformed target group ARN',
      { targetGroupArns: ['docs-s3-vpce'], attempt: 1, reason: 'x' },
      /"docs-s3-vpce"/,
    ],
    ['a malformed endpoint id', { endpointIds: ['vpce-XYZ'], attempt: 1, reason: 'x' }, /"vpce-XYZ"/],
    [
      'attempt 0',
      { targetGroupArns: [TG], attempt: 0, reason: 'x' },
      /attempt is 0; expected a whole number of at least 1/,
    ],
    ['a fractional attempt', { targetGroupArns: [TG], attempt: 1.5, reason: 'x' }, /attempt is 1\.5/],
  ])('refuses %s (a producer bug) with a RangeError', (_, input, message) => {
    expect(() => buildRequeueMessage(input)).toThrow(RangeError);
    expect(() => buildRequeueMessage(input)).toThrow(message);
  });
});

describe('parseRequeueMessage', () => {
  it('accepts a message without one of the two lists', () => {
    const { endpointIds: _, ...withoutEndpoints } = valid();
    expect(parseRequeueMessage(withoutEndpoints)).toEqual({ ok: true, value: valid() });
  });

  it.each([
    ['not an object', 'requeue', /^the re-queue message is "requeue"; expected a JSON object$/],
    [
      'another kind',
      { ...valid(), kind: 'requeue' },
      /^kind is "requeue"; expected "vpce-target-sync\/requeue"$/,
    ],
    [
      'another version',
      { ...valid(), version: 2 },
      /^version is 2 \(number\); expected 1 \(a message from another release/,
    ],
    [
      'a list that is not an array',
      { ...valid(), targetGroupArns: TG },
      /^targetGroupArns is ".*"; expected an array$/,
    ],
    [
      'a malformed ARN',
      { ...valid(), targetGroupArns: [TG, 'tg-1'] },
      /^targetGroupArns\[1\] is "tg-1"; expected a target group ARN/,
    ],
    [
      'a malformed endpoint id',
      { ...valid(), endpointIds: ['vpce-1'] },
      /^endpointIds\[0\] is "vpce-1"; expected an endpoint id/,
    ],
    [
      'no site',
      { ...valid(), targetGroupArns: [] },
      /names no site; expected at least one of targetGroupArns, endpointIds$/,
    ],
    [
      'no attempt',
      { ...valid(), attempt: undefined },
      /^attempt is missing; expected a whole number of at least 1$/,
    ],
    ['an attempt as text', { ...valid(), attempt: '2' }, /^attempt is "2"; expected a whole number/],
    ['a negative attempt', { ...valid(), attempt: -1 }, /^attempt is -1 \(number\)/],
    ['no reason', { ...valid(), reason: undefined }, /^reason is missing; expected a string$/],
  ])('rejects %s, naming the field', (_, value, error) => {
    const parsed = parseRequeueMessage(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(error);
  });
});

describe('interpretQueueMessage', () => {
  it('reads an EventBridge event body exactly as interpretEvent does', () => {
    for (const file of [
      'create-vpc-endpoint.json',
      'register-targets-by-reconciler.json',
      'add-tags-unrelated.json',
    ])
      expect(interpretQueueMessage(text(file), { ownRoleArn: OWN_ROLE })).toEqual(
        interpretEvent(JSON.parse(text(file)), { ownRoleArn: OWN_ROLE }),
      );
  });

  it('ignores an invalid re-queue message with the reason', () => {
    const body = JSON.stringify({ ...valid(), version: 7 });
    expect(interpretQueueMessage(body)).toEqual({
      kind: 'ignored',
      reason:
        'invalid re-queue message: version is 7 (number); expected 1 (a message from another release of vpce-target-sync?)',
    });
  });

  it('ignores a body that is not JSON', () => {
    const result = interpretQueueMessage('{"kind": "vpce-target-sync/requeue"');
    expect(result.kind).toBe('ignored');
    expect(result.kind === 'ignored' && result.reason).toMatch(
      /^the message body is not valid JSON \(.+\); expected an EventBridge event or a re-queue message$/,
    );
  });

  it('only takes a body for a re-queue message when it says so', () => {
    const { kind: _, ...unmarked } = valid();
    const result = interpretQueueMessage(JSON.stringify(unmarked));
    expect(result).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/^detail-type is missing/),
    });
  });
});
