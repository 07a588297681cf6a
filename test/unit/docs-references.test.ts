/**
 * The repository stands alone: code, tests and CONTEXT.md files cite pages of docs/, every such citation
 * (and every relative link between the docs) names a page and heading that exist, and nothing points at
 * notes outside the repository or at a development machine's paths.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const THIS_FILE = relative(ROOT, fileURLToPath(import.meta.url));

/** Tracked text files of the repository (and new ones not yet committed), relative to its root. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => /\.(ts|mjs|js|md|py|sh|ya?ml|json)$/.test(f) && !f.startsWith('node_modules/') && f !== 'package-lock.json' && existsSync(join(ROOT, f)));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*~]/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));
}

/** A problem with a reference to `target` (a repository path, maybe with #anchor), or undefined. */
function brokenReference(target: string): string | undefined {
  const [path, anchor] = target.split('#');
  if (!existsSync(join(ROOT, path))) return `${path} does not exist`;
  if (anchor !== undefined && anchor !== '' && path.endsWith('.md') && !anchors(path).has(anchor)) return `${path} has no heading #${anchor}`;
  return undefined;
}

describe('docs references', () => {
  const files = repositoryFiles();

  it('every docs/ page cited in code, tests and CONTEXT.md files exists, with the cited heading', () => {
    const problems = files.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return [...text.matchAll(/\bdocs\/[\w./-]+\.md(?:#[\w-]+)?/g)].flatMap((m) => {
        const problem = brokenReference(m[0]);
        return problem ? [`${file}: ${m[0]}: ${problem}`] : [];
      });
    });
    expect(files.some((f) => f.startsWith('docs/'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('relative links between markdown files resolve, headings included', () => {
    const problems = files
      .filter((f) => f.endsWith('.md'))
      .flatMap((file) => {
        const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
        return [...text.matchAll(/\]\(([^)\s]+)\)/g)].flatMap((m) => {
          const link = m[1];
          if (/^[a-z]+:/i.test(link)) return [];
          const target = link.startsWith('#') ? `${file}${link}` : `${normalize(join(dirname(file), link.split('#')[0]))}${link.includes('#') ? `#${link.split('#')[1]}` : ''}`;
          const problem = brokenReference(target);
          return problem ? [`${file}: (${link}): ${problem}`] : [];
        });
      });
    expect(problems).toEqual([]);
  });

  it('nothing cites notes outside the repository or a machine path', () => {
    const outside = [/\bDESIGN\.md\b/, /\bSTYLE\.md\b/, /\bspec [AB]\d\b/, /\bcrm-apis(-part-c)?\.md\b/, /\bresearch §/, /(^|[\s`'"(])\/(work|home|Users|root)\//];
    const problems = files
      .filter((f) => f !== THIS_FILE)
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, i) => (outside.some((p) => p.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(problems).toEqual([]);
  });
});
