import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BrokenCitation, checkDocLinks, headingIds, REPOSITORY_ROOT, slug } from './check-doc-links.ts';

const show = (b: BrokenCitation): string => `${b.file}:${b.line}: ${b.reason}`;

/** A throwaway repository made of `files` (path -> content). */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'vts-doc-links-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  roots.push(root);
  return root;
}
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('documentation links', () => {
  it('every document the repository cites exists, and so does every section it names', () => {
    expect(checkDocLinks(REPOSITORY_ROOT).map(show)).toEqual([]);
  });
});

describe('the check has teeth', () => {
  const design = '# Design\n\n## Events\n\n### Operator CLI and exit codes\n\n## Events\n';

  it('accepts citations of documents and sections that exist', () => {
    const root = fixture({
      'docs/DESIGN.md': design,
      'README.md':
        '[design](docs/DESIGN.md#events), [again](docs/DESIGN.md#events-1), [top](#title)\n\n# Title\n',
      'src/a.ts': [
        '/** The events (docs/DESIGN.md, "Events"); the exit codes (docs/DESIGN.md ("Operator CLI and exit codes")). */',
        '/**',
        ' * Across lines (docs/DESIGN.md,',
        ' * "Operator CLI and exit codes"), by anchor docs/DESIGN.md#events, and a bare README.md.',
        ' */',
        'export const x = 1;',
      ].join('\n'),
    });
    expect(checkDocLinks(root).map(show)).toEqual([]);
  });

  it('names each missing document, section, link target and anchor, with its file and line', () => {
    const root = fixture({
      'docs/DESIGN.md': design,
      'README.md': [
        '[gone](docs/GONE.md) and [no such heading](docs/DESIGN.md#alarms)',
        '',
        'Prose citing `docs/NOTES.md` and CONTRIBUTING.md.',
      ].join('\n'),
      'src/a.ts': [
        '// The contract lives in docs/MISSING.md.',
        'export const x = 1; /* docs/DESIGN.md, "Alarms" */',
        '/** The old design document: DESIGN.md (it is in docs/, not beside this file). */',
      ].join('\n'),
    });
    expect(checkDocLinks(root).map(show)).toEqual([
      'README.md:1: no such file in the repository',
      'README.md:1: docs/DESIGN.md has no heading with the id "alarms"',
      'README.md:3: no such file in the repository',
      'README.md:3: no such file in the repository',
      'src/a.ts:1: no such file in the repository',
      'src/a.ts:2: docs/DESIGN.md has no heading with the id "alarms"',
      'src/a.ts:3: no such file in the repository',
    ]);
  });

  it('reads only comments in TypeScript and only prose and links in Markdown', () => {
    const root = fixture({
      'src/a.ts': [
        "const s = 'docs/STRING.md';",
        'const r = /\\/\\/ docs\\/REGEX.md/;',
        'const t = `docs/TEMPLATE.md ${s /* README.md is not here */} // docs/IN-TEMPLATE.md`;',
        '// https://github.com/org/repo/blob/main/docs/URL.md',
        'export { r, t };',
      ].join('\n'),
      'README.md':
        '```\n[in a code block](missing.md) docs/CODE.md\n```\n[a site](https://example.com/x.md)\n',
      'node_modules/pkg/index.ts': '// docs/NODE-MODULES.md',
      'dist/notes.md': '[x](nope.md)',
    });
    expect(checkDocLinks(root).map(show)).toEqual([]);
  });

  it("catches a mutant of this repository: docs/DESIGN.md without a heading the code's comments cite", () => {
    const cited = ['shared/src/events.ts', 'shared/src/events/handlers.ts'];
    const files = Object.fromEntries(
      ['docs/DESIGN.md', ...cited].map((f) => [f, readFileSync(join(REPOSITORY_ROOT, f), 'utf8')]),
    );
    const original = fixture(files);
    expect(checkDocLinks(original, cited).map(show)).toEqual([]);

    const mutant = fixture({
      ...files,
      'docs/DESIGN.md': (files['docs/DESIGN.md'] as string).replace(/^### Events$/m, '### Change events'),
    });
    const broken = checkDocLinks(mutant, cited);
    expect(broken.map((b) => b.file)).toEqual(cited);
    for (const b of broken) expect(b.reason).toBe('docs/DESIGN.md has no heading with the id "events"');
  });

  it('catches a mutant of this repository: a page the README links to is gone', () => {
    const pages = ['README.md', 'docs/DESIGN.md', 'docs/operations.md', 'docs/deploy.md'];
    const root = fixture(
      Object.fromEntries(pages.map((f) => [f, readFileSync(join(REPOSITORY_ROOT, f), 'utf8')])),
    );
    const before = checkDocLinks(root, ['README.md']).map(show);
    rmSync(join(root, 'docs/operations.md'));
    const added = checkDocLinks(root, ['README.md']).filter((b) => !before.includes(show(b)));
    expect(added.map((b) => b.citation)).toEqual(['[docs/operations.md](docs/operations.md)']);
  });
});

describe("GitHub's heading ids", () => {
  it.each([
    ['Operator CLI and exit codes', 'operator-cli-and-exit-codes'],
    ['Alarms: what they mean, what to do', 'alarms-what-they-mean-what-to-do'],
    [
      'In your own CDK app: `npm install @vpce-target-sync/cdk`',
      'in-your-own-cdk-app-npm-install-vpce-target-synccdk',
    ],
    [
      'Cost (us-east-1 list prices, per month, at the default 5-minute schedule)',
      'cost-us-east-1-list-prices-per-month-at-the-default-5-minute-schedule',
    ],
    ['Standing cost: 100 in-sync sites', 'standing-cost-100-in-sync-sites'],
    [
      'A filter, not an id list, for DescribeVpcEndpoints',
      'a-filter-not-an-id-list-for-describevpcendpoints',
    ],
    ['[Linked](https://example.com) _emphasis_ and **bold**', 'linked-emphasis-and-bold'],
  ])('%s -> #%s', (heading, id) => {
    expect(slug(heading)).toBe(id);
  });

  it('numbers repeated headings and ignores # lines in code blocks', () => {
    expect([...headingIds('# A\n\n```sh\n# not a heading\n```\n## A\n## A\n')]).toEqual(['a', 'a-1', 'a-2']);
  });
});
