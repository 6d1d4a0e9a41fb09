/**
 * `pnpm lint:templates`: synthesises every stack of the CDK app offline (the reconciler, and the
 * example site with its placeholder certificate) into a temporary directory, runs cfn-lint on each
 * template with the repository's `.cfnlintrc` (informational rules on, each ignore with its reason),
 * prints one line per template and exits non-zero on any finding that is not ignored there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CFN_LINT_VERSION = '1.51.0';
export const INSTALL_HINT = `pip install cfn-lint==${CFN_LINT_VERSION}`;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INFRA = join(ROOT, 'infra');
export const CONFIG_FILE = join(ROOT, '.cfnlintrc');

/** The CDK CLI offline and quiet: no version check, no telemetry, no instance metadata lookups. */
const OFFLINE_ENV = {
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** One cfn-lint finding, as its `--format json` prints it (the fields used here). */
export interface Finding {
  readonly Level: 'Error' | 'Warning' | 'Informational' | string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Start: { readonly LineNumber: number }; readonly Path?: unknown[] };
}

/** `VpceTargetSync.template.json: 0 errors, 1 warning, 0 informational` */
export function summaryLine(template: string, findings: readonly Finding[]): string {
  const count = (level: string) => findings.filter((f) => f.Level === level).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const status = findings.length === 0 ? 'ok' : 'FAIL';
  return `${status} ${template}: ${plural(count('Error'), 'error')}, ${plural(count('Warning'), 'warning')}, ${count('Informational')} informational`;
}

/** `  W3005 Resources/Fn/DependsOn/1 (line 408): message` */
export function findingLine(finding: Finding): string {
  const path = (finding.Location.Path ?? []).join('/');
  return `  ${finding.Rule.Id} ${path} (line ${finding.Location.Start.LineNumber}): ${finding.Message}`;
}

/** The stack templates a cloud assembly holds, from its manifest. */
export function stackTemplates(outdir: string): { stack: string; file: string }[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([stack, a]) => ({ stack, file: a.properties?.templateFile as string }));
}

/** cfn-lint's version, or undefined when it is not on PATH. */
function cfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return /(\d+\.\d+\.\d+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
}

function synthesise(outdir: string): void {
  const result = spawnSync(
    'pnpm',
    ['exec', 'cdk', 'synth', '--quiet', '--no-notices', '-c', 'example=true', '--output', outdir],
    { cwd: INFRA, env: { ...process.env, ...OFFLINE_ENV }, encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    throw new Error(`cdk synth failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

/** Lints one template; throws when cfn-lint itself fails (its exit code 1, or output that is not JSON). */
function lint(template: string): Finding[] {
  const result = spawnSync(
    'cfn-lint',
    [
      '--config-file',
      CONFIG_FILE,
      '--format',
      'json',
      '--non-zero-exit-code',
      'informational',
      '--',
      template,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  // cfn-lint's exit code is a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a crash.
  if (result.error || result.status === null || result.status === 1) {
    throw new Error(`cfn-lint failed on ${template}: ${result.error?.message ?? result.stderr}`);
  }
  const findings = JSON.parse(result.stdout || '[]') as Finding[];
  if (findings.length === 0 && result.status !== 0) {
    throw new Error(`cfn-lint exited ${result.status} with no findings on ${template}: ${result.stderr}`);
  }
  return findings;
}

export function main(): number {
  const version = cfnLintVersion();
  if (!version) {
    console.error(`cfn-lint is not installed (not on PATH). Install it with: ${INSTALL_HINT}`);
    return 2;
  }
  if (version !== CFN_LINT_VERSION) {
    console.error(
      `warning: cfn-lint ${version} found; these templates are checked with ${CFN_LINT_VERSION} (${INSTALL_HINT})`,
    );
  }
  const outdir = mkdtempSync(join(tmpdir(), 'vts-templates-'));
  try {
    synthesise(outdir);
    const templates = stackTemplates(outdir);
    if (templates.length === 0) throw new Error(`cdk synth wrote no stack templates to ${outdir}`);
    let failed = 0;
    for (const { file } of templates) {
      const findings = lint(join(outdir, file));
      console.log(summaryLine(file, findings));
      for (const finding of findings) console.log(findingLine(finding));
      if (findings.length) failed += 1;
    }
    console.log(
      failed
        ? `${failed} of ${templates.length} templates have cfn-lint findings: fix them in the constructs, or ignore them in .cfnlintrc with the reason`
        : `${templates.length} templates pass cfn-lint ${version} (.cfnlintrc: informational rules on)`,
    );
    return failed ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
