/**
 * Documentation links that resolve: every document a file cites must be in the repository.
 *
 * - Markdown (`*.md`): relative links and images (`[text](path)`, `[text](path#anchor)`,
 *   `[text](#anchor)`, `[id]: path`) must name an existing file or folder, relative to the page, and
 *   an anchor must be a heading of the page it points to (GitHub's heading ids). Outside links and
 *   code, a bare citation such as `README.md` or `docs/deploy.md` must name an existing file.
 * - TypeScript (`*.ts`): in comments only, a cited document (`README.md`, `docs/DESIGN.md`,
 *   `test/sim/README.md`, `docs/…`) must exist, and a section named right after it
 *   (`docs/DESIGN.md, "Events"`, `docs/DESIGN.md ("Events")` or `docs/DESIGN.md#events`) must be a
 *   heading of that document.
 *
 * A citation without a folder is looked for beside the citing file and in each folder above it up to
 * the repository root; one with a folder, relative to the citing file and then to the root (links in
 * Markdown only relative to the page, as GitHub resolves them). Skipped: node_modules, dist, cdk.out,
 * dot folders, the lockfile, URLs and code (fenced blocks in Markdown, code and strings in TypeScript).
 *
 *   node --import tsx test/doc-links/check-doc-links.ts    (exit 1 and one line per broken citation)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BrokenCitation {
  /** Repository-relative path of the citing file. */
  readonly file: string;
  readonly line: number;
  /** The citation as written. */
  readonly citation: string;
  readonly reason: string;
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'cdk.out', 'bench-results']);
const SKIPPED_FILES = new Set(['pnpm-lock.yaml']);

/** Every `*.ts` and `*.md` file under `root`, repository-relative, sorted. */
export function documentedFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name) || SKIPPED_FILES.has(entry.name))
        continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|md)$/.test(entry.name)) found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens (as github-slugger). */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/(\*\*|__|\*|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}]))/gu, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Lines of a Markdown text with fenced code blocks blanked (line numbers kept). */
function withoutFences(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return '';
    }
    if (marker) {
      fence = marker;
      return '';
    }
    return line;
  });
}

/** The ids of a Markdown page's headings, duplicates numbered as GitHub numbers them. */
export function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** The comments of a TypeScript source, each with its offset; strings, templates and regexes skipped. */
export function comments(source: string): { readonly offset: number; readonly text: string }[] {
  const found: { offset: number; text: string }[] = [];
  /** Brace depth of each `${` open inside template literals. */
  const templates: number[] = [];
  let depth = 0;
  let last = ''; // the last significant code character or word, to tell a regex from a division
  let i = 0;
  const regexCanStart = (): boolean =>
    last === '' ||
    /[(,=:[!&|?{};+\-*%<>~^]$/.test(last) ||
    /^(return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/.test(last);
  const skipString = (quote: string): void => {
    i += 1;
    while (i < source.length && source[i] !== quote && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
    i += 1;
  };
  /** From inside a template literal to its end or to a `${`. */
  const skipTemplate = (): void => {
    while (i < source.length) {
      if (source[i] === '\\') i += 2;
      else if (source[i] === '`') {
        i += 1;
        return;
      } else if (source[i] === '$' && source[i + 1] === '{') {
        i += 2;
        templates.push(depth);
        depth += 1;
        return;
      } else i += 1;
    }
  };
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      found.push({ offset: i, text: source.slice(i, stop) });
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      found.push({ offset: i, text: source.slice(i, stop) });
      i = stop;
    } else if (c === '"' || c === "'") {
      skipString(c);
      last = 'string';
    } else if (c === '`') {
      i += 1;
      skipTemplate();
      last = 'string';
    } else if (c === '/' && regexCanStart()) {
      let inClass = false;
      i += 1;
      while (i < source.length && source[i] !== '\n') {
        if (source[i] === '\\') i += 1;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        else if (source[i] === '/' && !inClass) break;
        i += 1;
      }
      i += 1;
      while (/[a-z]/.test(source[i] ?? '')) i += 1;
      last = 'regex';
    } else if (c === '{') {
      depth += 1;
      last = c;
      i += 1;
    } else if (c === '}') {
      depth -= 1;
      i += 1;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        skipTemplate();
        last = 'string';
      } else last = c;
    } else if (/\s/.test(c)) {
      i += 1;
    } else if (/[\w$]/.test(c)) {
      const word = /^[\w$]+/.exec(source.slice(i, i + 64))?.[0] ?? c;
      last = word;
      i += word.length;
    } else {
      last = c;
      i += 1;
    }
  }
  return found;
}

/** A cited document: a path ending in `.md` (`README.md`, `test/sim/README.md`), or a `docs/` path. */
const CITATION = /(?<![\w./-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w.-]+\.md|docs\/[\w./-]*[\w/])(#[\w-]+)?/g;
/** A section named right after a citation: `, "Title"`, ` ("Title")`, `: "Title"`. */
const SECTION_AFTER = /^(?:\s*[,:]\s*|\s*\(\s*)"([^"]+)"\)?/;
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;

interface Citation {
  readonly path: string;
  readonly anchor?: string;
  readonly section?: string;
  readonly index: number;
  readonly raw: string;
}

/** Citations in a stretch of prose or comment text (URLs and, in comments, `*` and `//` margins blanked). */
function citationsIn(text: string): Citation[] {
  const plain = text.replace(URL_PATTERN, (m) => ' '.repeat(m.length));
  const found: Citation[] = [];
  for (const m of plain.matchAll(CITATION)) {
    const path = (m[1] as string).replace(/[.]+$/, '');
    const after = SECTION_AFTER.exec(plain.slice((m.index ?? 0) + m[0].length));
    found.push({
      path,
      index: m.index ?? 0,
      raw: m[0] + (after ? after[0] : ''),
      ...(m[2] ? { anchor: m[2].slice(1) } : {}),
      ...(after ? { section: (after[1] as string).replace(/\s+/g, ' ') } : {}),
    });
  }
  return found;
}

/** The line of `offset` in `text`, from 1. */
const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

export function checkDocLinks(
  root: string,
  files: readonly string[] = documentedFiles(root),
): BrokenCitation[] {
  const broken: BrokenCitation[] = [];
  const headings = new Map<string, Set<string>>();
  const idsOf = (absolute: string): Set<string> => {
    let ids = headings.get(absolute);
    if (!ids) {
      ids = headingIds(readFileSync(absolute, 'utf8'));
      headings.set(absolute, ids);
    }
    return ids;
  };
  const inRoot = (absolute: string): boolean => absolute === root || absolute.startsWith(root + sep);
  /** Where a non-link citation resolves, or undefined. */
  const locate = (file: string, path: string): string | undefined => {
    const from = dirname(join(root, file));
    const candidates = path.includes('/')
      ? [resolve(from, path), resolve(root, path)]
      : ancestors(from, root).map((dir) => join(dir, path));
    return candidates.find((c) => inRoot(c) && existsSync(c));
  };
  const checkTarget = (
    file: string,
    line: number,
    raw: string,
    target: string | undefined,
    wanted: { anchor?: string; section?: string },
  ): void => {
    if (!target) {
      broken.push({ file, line, citation: raw, reason: 'no such file in the repository' });
      return;
    }
    const id = wanted.anchor ?? (wanted.section === undefined ? undefined : slug(wanted.section));
    if (id === undefined) return;
    if (!target.endsWith('.md') || !statSync(target).isFile()) return;
    if (!idsOf(target).has(id)) {
      const name = relative(root, target);
      broken.push({ file, line, citation: raw, reason: `${name} has no heading with the id "${id}"` });
    }
  };

  for (const file of files) {
    const absolute = join(root, file);
    const text = readFileSync(absolute, 'utf8');
    if (file.endsWith('.md')) {
      const lines = withoutFences(text);
      lines.forEach((line, n) => {
        // Inline code is text about code, not a link: keep it for bare citations, drop it for links.
        const noCode = line.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length));
        const links =
          /(!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\))|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g;
        for (const m of noCode.matchAll(links)) {
          const target = (m[2] ?? m[3] ?? '').trim();
          if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
          const [path = '', anchor] = target.split('#');
          const resolved = path ? resolve(dirname(absolute), decodeURIComponent(path)) : absolute;
          checkTarget(
            file,
            n + 1,
            m[0],
            inRoot(resolved) && existsSync(resolved) ? resolved : undefined,
            anchor ? { anchor: decodeURIComponent(anchor).toLowerCase() } : {},
          );
        }
        const prose = line.replace(links, (m) => ' '.repeat(m.length));
        for (const c of citationsIn(prose)) {
          checkTarget(file, n + 1, c.raw, locate(file, c.path), c);
        }
      });
    } else {
      for (const comment of comments(text)) {
        const margins = comment.text.replace(/^([ \t]*)(\/\/+|\/\*+|\*+(?!\/))/gm, (m) =>
          ' '.repeat(m.length),
        );
        for (const c of citationsIn(margins)) {
          checkTarget(file, lineOf(text, comment.offset + c.index), c.raw, locate(file, c.path), c);
        }
      }
    }
  }
  return broken;
}

/** `from` and each folder above it, up to and including `root`. */
function ancestors(from: string, root: string): string[] {
  const dirs = [from];
  let dir = from;
  while (dir !== root && dir.startsWith(root + sep)) {
    dir = dirname(dir);
    dirs.push(dir);
  }
  return dirs;
}

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const broken = checkDocLinks(REPOSITORY_ROOT);
  for (const b of broken) console.error(`${b.file}:${b.line}: ${b.citation.trim()}: ${b.reason}`);
  console.log(broken.length ? `${broken.length} broken citation(s)` : 'every cited document exists');
  process.exitCode = broken.length ? 1 : 0;
}
