import type { DestinationStream, Logger } from 'pino';
import { type AwsClients, type ClientConfig, createClients } from '../aws/clients.ts';
import { type Config, readConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import type { ReconcileDeps } from '../reconcile/reconcile.ts';
import { awsDeps } from '../runtime.ts';

/** What the handlers run with: the configuration, one logger and one set of SDK clients. */
export interface HandlerRuntime {
  readonly config: Config;
  readonly log: Logger;
  readonly clients: AwsClients;
  readonly deps: ReconcileDeps;
}

/** Where a handler takes its configuration from; the deployed one takes every default. */
export interface HandlerOptions {
  /** The environment the configuration is read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** SDK client settings, e.g. a test's endpoint and credentials. @default the SDK's own chain */
  readonly clientConfig?: ClientConfig;
  /** Where the log lines go. @default stdout */
  readonly logDestination?: DestinationStream;
}

/** Reads the configuration and builds the logger and clients; a bad value throws, naming the variable. */
export function createRuntime(options: HandlerOptions = {}): HandlerRuntime {
  const parsed = readConfig(options.env ?? process.env);
  if (!parsed.ok) throw new Error(`vpce-target-sync configuration error: ${parsed.error}`);
  const config = parsed.value;
  const log = createLogger(config.logLevel, options.logDestination);
  const clients = createClients(options.clientConfig, config.rateLimits);
  return { config, log, clients, deps: awsDeps(log, clients) };
}

/**
 * The runtime of one handler, built by its first invocation and reused by every warm one (the SDK
 * clients keep their connections). Nothing is built at import: a bad configuration fails the first
 * invocation, and every one after it, with the message naming the variable.
 */
export interface LazyRuntime {
  /** The runtime, built on the first call. */
  get(): HandlerRuntime;
  /** The runtime if it was built: there is no logger while the configuration is bad. */
  built(): HandlerRuntime | undefined;
}

export function lazyRuntime(options: HandlerOptions = {}): LazyRuntime {
  let runtime: HandlerRuntime | undefined;
  return {
    get: () => {
      runtime ??= createRuntime(options);
      return runtime;
    },
    built: () => runtime,
  };
}
