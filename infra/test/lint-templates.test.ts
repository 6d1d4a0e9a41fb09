import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// The template linter is a build script of this package, not part of its API.
import {
  CONFIG_FILE,
  type Finding,
  findingLine,
  stackTemplates,
  summaryLine,
} from '../scripts/lint-templates.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const finding = (id: string, level: string): Finding => ({
  Level: level,
  Message: `message of ${id}`,
  Rule: { Id: id },
  Location: { Start: { LineNumber: 7 }, Path: ['Resources', 'Queue', 'Properties'] },
});

describe('pnpm lint:templates', () => {
  it('says exactly what to install, and fails, when cfn-lint is not on PATH', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vts-no-cfn-lint-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/scripts/lint-templates.ts'], {
        cwd: ROOT,
        env: { PATH: empty, HOME: process.env.HOME ?? '' },
        encoding: 'utf8',
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('pip install cfn-lint==1.51.0');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('prints one line per template, counting each level, and one line per finding', () => {
    expect(summaryLine('A.template.json', [])).toBe(
      'ok A.template.json: 0 errors, 0 warnings, 0 informational',
    );
    expect(
      summaryLine('B.template.json', [
        finding('E3002', 'Error'),
        finding('W3005', 'Warning'),
        finding('I3013', 'Informational'),
        finding('I3011', 'Informational'),
      ]),
    ).toBe('FAIL B.template.json: 1 error, 1 warning, 2 informational');
    expect(findingLine(finding('I3013', 'Informational'))).toBe(
      '  I3013 Resources/Queue/Properties (line 7): message of I3013',
    );
  });

  it('lints every stack template of the cloud assembly', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'vts-assembly-'));
    try {
      writeFileSync(
        join(outdir, 'manifest.json'),
        JSON.stringify({
          artifacts: {
            'A.assets': { type: 'cdk:asset-manifest', properties: { file: 'A.assets.json' } },
            A: { type: 'aws:cloudformation:stack', properties: { templateFile: 'A.template.json' } },
            B: { type: 'aws:cloudformation:stack', properties: { templateFile: 'B.template.json' } },
            Tree: { type: 'cdk:tree' },
          },
        }),
      );
      expect(stackTemplates(outdir)).toEqual([
        { stack: 'A', file: 'A.template.json' },
        { stack: 'B', file: 'B.template.json' },
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('.cfnlintrc turns informational rules on and gives a reason above every ignored rule', () => {
    const lines = readFileSync(CONFIG_FILE, 'utf8').split('\n');
    const section = (key: string) => {
      const start = lines.findIndex((l) => l.startsWith(`${key}:`));
      if (start < 0) return [];
      const end = lines.findIndex((l, i) => i > start && /^\S/.test(l) && !l.startsWith('#'));
      return lines.slice(start + 1, end < 0 ? undefined : end);
    };
    expect(section('include_checks').map((l) => l.trim())).toContain('- I');
    const ignored = section('ignore_checks');
    const ids = ignored.flatMap((l, i) => (/^\s*- [EWI]\d{4}\s*$/.test(l) ? [i] : []));
    expect(ids.length).toBeGreaterThan(0);
    for (const i of ids) {
      expect(ignored[i - 1]?.trim().startsWith('#'), `no reason above ${ignored[i]?.trim()}`).toBe(true);
    }
  });
});
