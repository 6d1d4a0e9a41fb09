import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { AwsError } from './aws-error.ts';
import { type CallLog, type CallRecord, isMutating } from './call-log.ts';
import type { SimClock } from './clock.ts';
import type { Fault, FaultKind, FaultRegistry } from './faults.ts';
import type { IdGenerator } from './ids.ts';
import {
  ACCOUNT_ID,
  DEFAULT_PRINCIPAL,
  latencyFor,
  type ServiceName,
  type SimulatorOptions,
  type Timing,
} from './options.ts';
import type { DecodedCall, Params, WireResponse } from './protocols/protocol.ts';
import { type Route, routes, serviceOf } from './routes.ts';
import type { ServiceContext } from './services/service.ts';
import type { Simulator } from './simulator.ts';
import type { RegionState } from './state.ts';
import type { RateLimiter } from './throttle.ts';

/** Everything the request pipeline reads or updates, owned by the Simulator. */
export interface ServerDeps {
  readonly options: SimulatorOptions;
  readonly region: string;
  readonly timing: Timing;
  readonly clock: SimClock;
  readonly ids: IdGenerator;
  readonly requestIds: IdGenerator;
  readonly log: CallLog;
  readonly faults: FaultRegistry;
  readonly limiter: RateLimiter;
  readonly stateFor: (region: string) => RegionState;
  /** Handed to `before` fault hooks. */
  readonly simulator: Simulator;
}

interface CredentialScope {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

type Outcome =
  | { readonly kind: 'result'; readonly result: object }
  | { readonly kind: 'error'; readonly error: AwsError; readonly throttled: boolean }
  | { readonly kind: 'reset' };

/**
 * Latency and `delay` faults wait on the global setTimeout (not node:timers/promises), so a test
 * that fakes the clock (vi.useFakeTimers) decides to the millisecond when a held answer goes out.
 */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Params that carry a continuation token: a call that has one is a page after the first.
const PAGE_TOKENS = ['NextToken', 'Marker', 'PaginationToken'];

/**
 * The loopback HTTP server and its request pipeline: read and route the request, apply
 * injected faults and rate limits, run the operation, record the call, tell mutation
 * listeners, wait out the configured latency, and answer in the service's wire format.
 */
export class SimServer {
  private readonly server: Server;
  private baseUrl = '';

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('simulator failed to answer a request', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('simulator error');
      });
    });
  }

  get url(): string {
    return this.baseUrl;
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // SDK clients keep connections alive; without this close() would wait for them to idle out.
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { deps } = this;
    const body = await readBody(req);
    const scope = credentialScope(req.headers.authorization);
    const region = scope?.region ?? deps.region;
    const principal =
      (scope && deps.options.principals?.[scope.accessKeyId]) ??
      deps.options.defaultPrincipal ??
      DEFAULT_PRINCIPAL;
    const base = {
      seq: deps.log.nextSeq(),
      at: deps.clock.now(),
      region,
      principal,
      requestId: deps.requestIds.uuid(),
    };

    const service = serviceOf(scope?.service, req.headers, body);
    if (!service) {
      deps.log.add({
        ...base,
        service: 'unknown',
        operation: 'unknown',
        params: {},
        status: 400,
        faults: [],
        throttled: false,
      });
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('Request is for no service this simulator knows');
      return;
    }
    const route = routes[service];
    let call: DecodedCall;
    try {
      call = route.protocol.decode({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
      });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const response = route.protocol.encodeError('', error, base.requestId);
      deps.log.add({
        ...base,
        service,
        operation: 'unknown',
        params: {},
        status: response.status,
        errorCode: error.code,
        faults: [],
        throttled: false,
      });
      send(res, response, base.requestId);
      return;
    }

    const faults = deps.faults.take(service, call.operation, call.params, isLaterPage(call.params));
    const { outcome, extraDelayMs } = await this.outcomeOf(service, route, call, faults, {
      region,
      principal,
    });
    this.remember(base, service, call, faults, outcome);

    const delayMs = latencyFor(deps.options, service) + extraDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    if (outcome.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const response =
      outcome.kind === 'result'
        ? route.protocol.encodeResult(call.operation, outcome.result, base.requestId)
        : route.protocol.encodeError(call.operation, outcome.error, base.requestId);
    send(res, response, base.requestId);
  }

  /** Records the call and, for a mutating call that was answered, tells the listeners. */
  private remember(
    base: Pick<CallRecord, 'seq' | 'at' | 'region' | 'principal' | 'requestId'>,
    service: ServiceName,
    call: DecodedCall,
    faults: readonly Fault[],
    outcome: Outcome,
  ): void {
    const { log } = this.deps;
    log.add({
      ...base,
      service,
      operation: call.operation,
      params: call.params,
      status: outcome.kind === 'reset' ? 0 : outcome.kind === 'error' ? outcome.error.status : 200,
      errorCode: outcome.kind === 'error' ? outcome.error.code : undefined,
      faults: faults.map((fault): FaultKind => fault.kind),
      throttled: outcome.kind === 'error' && outcome.throttled,
    });
    // A reset call got no answer, so there is nothing a CloudTrail-like record could say.
    if (!isMutating(call.operation) || outcome.kind === 'reset') return;
    log.emit({
      ...base,
      service,
      operation: call.operation,
      params: call.params,
      response: outcome.kind === 'result' ? outcome.result : undefined,
      error:
        outcome.kind === 'error' ? { code: outcome.error.code, message: outcome.error.message } : undefined,
    });
  }

  /** Faults first (hooks and delays, then a deciding fault), then the rate limit, then the operation. */
  private async outcomeOf(
    service: ServiceName,
    route: Route,
    call: DecodedCall,
    faults: readonly Fault[],
    caller: { readonly region: string; readonly principal: string },
  ): Promise<{ outcome: Outcome; extraDelayMs: number }> {
    let extraDelayMs = 0;
    for (const fault of faults) {
      switch (fault.kind) {
        case 'before':
          try {
            await fault.run(this.deps.simulator);
          } catch (error) {
            // A failing hook is a bug in the test: answered with a client error the SDK won't
            // retry past, and printed.
            console.error(`simulator before-hook for ${call.operation} failed`, error);
            const failure = new AwsError('SimulatorHookFailed', `before hook failed: ${String(error)}`, 400);
            return { outcome: { kind: 'error', error: failure, throttled: false }, extraDelayMs };
          }
          break;
        case 'delay':
          extraDelayMs += fault.ms;
          break;
        case 'reset':
          return { outcome: { kind: 'reset' }, extraDelayMs };
        case 'throttle':
          return { outcome: { kind: 'error', error: route.throttled(), throttled: true }, extraDelayMs };
        case 'error':
          return {
            outcome: {
              kind: 'error',
              error: new AwsError(
                fault.code,
                fault.message ?? `Injected fault ${fault.code}`,
                fault.status ?? 400,
              ),
              throttled: false,
            },
            extraDelayMs,
          };
        case 'drop-page': {
          const error = fault.code
            ? new AwsError(fault.code, fault.message ?? `Injected fault ${fault.code}`, fault.status ?? 500)
            : route.internalError(fault.message ?? 'We encountered an internal error. Please try again.');
          return { outcome: { kind: 'error', error, throttled: false }, extraDelayMs };
        }
      }
    }
    if (!this.deps.limiter.allow(service, call.operation)) {
      return { outcome: { kind: 'error', error: route.throttled(), throttled: true }, extraDelayMs };
    }
    return { outcome: await this.invoke(route, call, caller), extraDelayMs };
  }

  private async invoke(
    route: Route,
    call: DecodedCall,
    caller: { readonly region: string; readonly principal: string },
  ): Promise<Outcome> {
    const operation = route.operations[call.operation];
    if (!operation)
      return { kind: 'error', error: route.protocol.unknownOperation(call.operation), throttled: false };
    const { deps } = this;
    const ctx: ServiceContext = {
      state: deps.stateFor(caller.region),
      region: caller.region,
      accountId: ACCOUNT_ID,
      principal: caller.principal,
      clock: deps.clock,
      ids: deps.ids,
      timing: deps.timing,
      baseUrl: this.baseUrl,
    };
    try {
      return { kind: 'result', result: await operation(call.params, ctx) };
    } catch (error) {
      if (error instanceof AwsError) return { kind: 'error', error, throttled: false };
      // A simulator bug: answered as AWS's internal error so the client sees a 500, and
      // printed so the developer sees why.
      console.error(`simulator bug in ${call.operation}`, error);
      return {
        kind: 'error',
        error: route.internalError(`Simulator bug: ${String(error)}`),
        throttled: false,
      };
    }
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  // CloudWatch PutMetricData bodies above the client's threshold arrive gzip-compressed.
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/aws4_request, …` */
function credentialScope(authorization: string | undefined): CredentialScope | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { accessKeyId: match[1], region: match[2], service: match[3] };
}

function isLaterPage(params: Params): boolean {
  return PAGE_TOKENS.some((name) => typeof params[name] === 'string' && params[name] !== '');
}

function send(res: ServerResponse, response: WireResponse, requestId: string): void {
  if (res.destroyed) return;
  res.writeHead(response.status, {
    ...response.headers,
    'x-amzn-requestid': requestId,
    'content-length': String(Buffer.byteLength(response.body)),
  });
  res.end(response.body);
}
