import { type Config, readConfig } from '../config.ts';
import { EXIT } from './exit.ts';
import { missingProfile } from './profile.ts';

/** What every command that talks to AWS starts from: the configuration and the SDK client settings. */
export interface CommandSetup {
  readonly config: Config;
  readonly clientConfig: { readonly region?: string; readonly profile?: string };
}

/**
 * Reads the configuration and checks the profile, as every AWS command must before its first call;
 * a problem is written to `err` and returned as the usage exit code.
 */
export function setUpCommand(
  cmd: { readonly region: string | undefined; readonly profile: string | undefined },
  err: NodeJS.WritableStream,
): CommandSetup | number {
  const config = readConfig(process.env, { logLevel: 'warn' });
  if (!config.ok) {
    err.write(`error: ${config.error}\n`);
    return EXIT.usage;
  }
  const profile = cmd.profile ?? process.env.AWS_PROFILE;
  const unknownProfile = profile ? missingProfile(profile, process.env) : null;
  if (unknownProfile) {
    err.write(`error: ${unknownProfile}\n`);
    return EXIT.usage;
  }
  return {
    config: config.value,
    clientConfig: {
      ...(cmd.region ? { region: cmd.region } : {}),
      ...(cmd.profile ? { profile: cmd.profile } : {}),
    },
  };
}
