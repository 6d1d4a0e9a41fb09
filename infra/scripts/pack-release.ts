/**
 * `pnpm pack:release`: writes the publishable tarballs into dist/: the construct library
 * `@vpce-target-sync/cdk` and the CLI `vpce-target-sync`. Publish them with `npm publish <tarball>`.
 */
import { packCli } from '../../functions/scripts/pack-cli.ts';
import { packCdk } from './pack-cdk.ts';

export async function packRelease(): Promise<{ cdk: string; cli: string }> {
  return { cdk: await packCdk(), cli: await packCli() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { cdk, cli } = await packRelease();
  console.log(`${cdk}\n${cli}`);
}
