import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import './fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `node --import tsx test/sim/main.ts` as `pnpm sim` does and waits for its exports. */
async function startMain(args: string[], env: Record<string, string> = {}) {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/sim/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  while (!stdout.includes('export AWS_EC2_METADATA_DISABLED')) {
    if (child.exitCode !== null) throw new Error(`main.ts exited early: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const exports = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return { process: child, exports, output: () => stdout };
}

describe('pnpm sim', () => {
  it('prints the URL and exports, serves the SDK, and stops cleanly on SIGTERM', async () => {
    const main = await startMain(['--port', '0']);
    expect(main.exports).toMatchObject({
      AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(main.output()).toContain(`listening on ${main.exports.AWS_ENDPOINT_URL}`);
    const ec2 = new EC2Client({
      endpoint: main.exports.AWS_ENDPOINT_URL ?? '',
      region: main.exports.AWS_REGION ?? '',
      credentials: {
        accessKeyId: main.exports.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: main.exports.AWS_SECRET_ACCESS_KEY ?? '',
      },
    });
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toMatchObject({ Vpcs: [] });
    main.process.kill('SIGTERM');
    const [code] = await once(main.process, 'exit');
    expect(code).toBe(0);
    expect(main.output()).toContain('stopped (SIGTERM)');
  });

  it('takes the port from PORT', async () => {
    const main = await startMain([], { PORT: '0' });
    expect(main.exports.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    main.process.kill('SIGINT');
    const [code] = await once(main.process, 'exit');
    expect(code).toBe(0);
  });

  it('refuses a bad port with exit code 2', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', 'test/sim/main.ts', '--port', 'many'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const [code] = await once(bad, 'exit');
    expect(code).toBe(2);
  });
});
