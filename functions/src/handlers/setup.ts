import { createClients } from '../aws/clients.ts';
import { readConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { awsDeps } from '../runtime.ts';

/**
 * Cold-start setup shared by the handlers: configuration read once (a bad value fails the init
 * with a message naming the variable), one logger, one set of SDK clients reused across invocations.
 */
const parsed = readConfig(process.env);
if (!parsed.ok) throw new Error(`vpce-target-sync configuration error: ${parsed.error}`);

export const config = parsed.value;
export const log = createLogger(config.logLevel);
export const clients = createClients({}, config.rateLimits);
export const deps = awsDeps(log, clients);
