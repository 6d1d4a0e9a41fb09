import { gunzipSync } from 'node:zlib';
import type { Params, ServiceName, Simulator } from '../sim/index.ts';
import { routes, serviceOf } from '../sim/routes.ts';

/** One AWS call as the emulator received it. */
export interface Call {
  /** The SigV4 signing name (`ec2`, `elasticloadbalancing`, `monitoring`, `tagging`, `sqs`, `s3`). */
  readonly service: ServiceName | 'unknown';
  /** The API operation (`RegisterTargets`), `unknown` when the request names none. */
  readonly operation: string;
  /** The request parameters, decoded from the wire under the API's wire names. */
  readonly params: Params;
}

/** Where a harness reads its calls from. */
export interface CallLog {
  /** Empties the log and records every call from now on. */
  reset(): Promise<void>;
  read(): Promise<readonly Call[]>;
  /** Stops recording (the harness is done). */
  stop(): Promise<void>;
}

/** The project simulator's own call log, read in-process. */
export function simulatorCallLog(sim: Simulator): CallLog {
  return {
    reset: async () => sim.resetCalls(),
    read: async () => sim.calls.map(({ service, operation, params }) => ({ service, operation, params })),
    stop: async () => {},
  };
}

/**
 * moto's request recorder (`/moto-api/recorder/*` in moto 5.2.1: moto_api/_internal/recorder). It
 * appends each request it receives, before answering it, to a file as one JSON line with the
 * method, URL, headers and body (base64 when bytes); download-recording returns the file. Each
 * request is decoded with the simulator's own wire protocols (test/sim/routes.ts), so a call reads
 * the same on both emulators. Recording is off until `reset()`, and off again after `stop()`.
 *
 * With no recorder (an account) every call throws: there is no log to read there.
 */
export async function recorderCallLog(recorderUrl: string | undefined): Promise<CallLog> {
  if (!recorderUrl) {
    const none = async (): Promise<never> => {
      throw new Error(
        'no call log: this endpoint has no request recorder (VTS_EXTERNAL_RECORDER_URL is set by pnpm test:moto)',
      );
    };
    return { reset: none, read: none, stop: async () => {} };
  }
  const post = async (action: string): Promise<string> => {
    const response = await fetch(`${recorderUrl}/${action}`, { method: 'POST' });
    const text = await response.text();
    if (!response.ok) throw new Error(`${recorderUrl}/${action} answered HTTP ${response.status}: ${text}`);
    return text;
  };
  // A test that failed before its harness stopped may have left the recorder on.
  await post('stop-recording');
  await post('reset-recording');
  return {
    async reset() {
      await post('reset-recording');
      await post('start-recording');
    },
    async read() {
      const lines = (await post('download-recording')).split('\n').filter((line) => line.trim() !== '');
      return lines.flatMap((line, i) => {
        let entry: RecordedRequest;
        try {
          entry = JSON.parse(line) as RecordedRequest;
        } catch {
          throw new Error(
            `moto's recording has a line that is not JSON (line ${i + 1}): ${line.slice(0, 200)}`,
          );
        }
        const call = decodeRecorded(entry);
        return call ? [call] : [];
      });
    },
    async stop() {
      await post('stop-recording');
      await post('reset-recording');
    },
  };
}

/** One line of moto's recording. */
interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
  readonly body_encoded: boolean;
}

/** The AWS call a recorded request made; undefined for moto's own API (`/moto-api/...`). */
export function decodeRecorded(entry: RecordedRequest): Call | undefined {
  const url = new URL(entry.url);
  if (url.pathname.startsWith('/moto-api/')) return undefined;
  const headers = Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k.toLowerCase(), v]));
  let raw = entry.body_encoded
    ? Buffer.from(entry.body ?? '', 'base64')
    : Buffer.from(entry.body ?? '', 'utf8');
  // CloudWatch PutMetricData bodies above the client's threshold are gzip-compressed.
  if (headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
  const body = raw.toString('utf8');
  const scope = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(headers.authorization ?? '');
  const service = serviceOf(scope?.[1], headers, body);
  if (!service) return { service: 'unknown', operation: 'unknown', params: {} };
  try {
    const { operation, params } = routes[service].protocol.decode({
      method: entry.method,
      url: `${url.pathname}${url.search}`,
      headers,
      body,
    });
    return { service, operation, params };
  } catch {
    // As the simulator logs a request it cannot read: the service, no operation.
    return { service, operation: 'unknown', params: {} };
  }
}
