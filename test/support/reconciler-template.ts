/**
 * The Reconciler stack as the infra package synthesises it (default props, no asset bundling), and
 * what a virtual deployment reads from it: the function's timeout, memory, reserved concurrency and
 * environment, the schedule, the event source mapping (batch size, batching window) and the events
 * queue (visibility timeout, maxReceiveCount). Reading them from the template rather than from the
 * infra's constants means the virtual deployment runs what `cdk deploy` would deploy.
 */
import { ReconcilerStack } from '@vpce-target-sync/infra';
import { templateOf, testApp } from '../../infra/test/support/synth.ts';

type Json = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
}

/** The synthesised template of `new ReconcilerStack(app, 'VpceTargetSync')`, as JSON. */
export function reconcilerTemplate(): Json {
  return templateOf(new ReconcilerStack(testApp(), 'VpceTargetSync')).toJSON() as Json;
}

/** What Lambda, EventBridge and SQS would run, read from the template. */
export interface DeployedSettings {
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly reservedConcurrency: number | undefined;
  /** The schedule rule's `rate(...)`, in ms. */
  readonly scheduleMs: number;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /**
   * The function's environment; a `Ref` or `Fn::GetAtt` value is kept as the logical id it names
   * (`{ ref: 'ReconcilerEventQueue…' }`), for the deployment to resolve.
   */
  readonly environment: Readonly<Record<string, string | { readonly ref: string }>>;
  /** Logical ids, to resolve the environment's references. */
  readonly eventQueueId: string;
  readonly deadLetterQueueId: string;
  readonly roleId: string | undefined;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function only(
  resources: Record<string, Resource>,
  type: string,
  where: (r: Resource) => boolean = () => true,
) {
  const found = Object.entries(resources).filter(([, r]) => r.Type === type && where(r));
  if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
  const [id, resource] = found[0] as [string, Resource];
  return { id, properties: resource.Properties ?? {} };
}

/** `rate(5 minutes)`, `rate(1 hour)`, … in ms; a cron schedule is not modelled. */
export function rateMs(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`schedule ${JSON.stringify(expression)}: only rate(...) is modelled`);
  const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[
    (match[2] as string).replace(/s$/, '') as 'minute' | 'hour' | 'day'
  ];
  return Number(match[1]) * unit;
}

function refOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

export function deployedSettings(template: Json): DeployedSettings {
  const resources = (isObject(template.Resources) ? template.Resources : {}) as Record<string, Resource>;
  const fn = only(resources, 'AWS::Lambda::Function');
  const schedule = only(
    resources,
    'AWS::Events::Rule',
    (r) => r.Properties?.ScheduleExpression !== undefined,
  );
  const mapping = only(resources, 'AWS::Lambda::EventSourceMapping');
  const queue = only(resources, 'AWS::SQS::Queue', (r) => r.Properties?.RedrivePolicy !== undefined);
  const redrive = queue.properties.RedrivePolicy as Json;
  const deadLetterQueueId = refOf(redrive.deadLetterTargetArn);
  if (!deadLetterQueueId) throw new Error('the events queue names no dead-letter queue');
  const variables = (isObject(fn.properties.Environment) ? fn.properties.Environment.Variables : {}) as Json;
  const environment: Record<string, string | { ref: string }> = {};
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (typeof value === 'string') environment[name] = value;
    else {
      const ref = refOf(value);
      if (!ref) throw new Error(`environment variable ${name}: ${JSON.stringify(value)} is not modelled`);
      environment[name] = { ref };
    }
  }
  return {
    timeoutMs: Number(fn.properties.Timeout ?? 3) * 1000,
    memoryMb: Number(fn.properties.MemorySize ?? 128),
    reservedConcurrency:
      fn.properties.ReservedConcurrentExecutions === undefined
        ? undefined
        : Number(fn.properties.ReservedConcurrentExecutions),
    scheduleMs: rateMs(String(schedule.properties.ScheduleExpression)),
    batchSize: Number(mapping.properties.BatchSize ?? 10),
    batchingWindowMs: Number(mapping.properties.MaximumBatchingWindowInSeconds ?? 0) * 1000,
    visibilityTimeoutSeconds: Number(queue.properties.VisibilityTimeout ?? 30),
    maxReceiveCount: Number(redrive.maxReceiveCount),
    environment,
    eventQueueId: queue.id,
    deadLetterQueueId,
    roleId: refOf(fn.properties.Role),
  };
}
