import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The shared config and credentials files, where the SDK looks for named profiles
 * (https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html).
 */
function profileFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  };
}

const sections = (path: string): string[] => {
  try {
    return [...readFileSync(path, 'utf8').matchAll(/^\s*\[([^\]]+)\]/gm)].map((m) => (m[1] ?? '').trim());
  } catch {
    return [];
  }
};

/**
 * Null when the profile exists, else a message naming it and the files read. Without this check an
 * unknown profile surfaces as the SDK's "Region is missing", which sends the operator the wrong way.
 */
export function missingProfile(profile: string, env: NodeJS.ProcessEnv): string | null {
  const files = profileFiles(env);
  const inConfig = sections(files.config).some((s) => s === `profile ${profile}` || s === profile);
  const inCredentials = sections(files.credentials).includes(profile);
  if (inConfig || inCredentials) return null;
  return `AWS profile ${JSON.stringify(profile)} is not in ${files.config} nor ${files.credentials}; list the profiles with: aws configure list-profiles`;
}
