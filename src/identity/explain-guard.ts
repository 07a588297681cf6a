import type { LoadedProject } from '../config/load-project.js';
import type { GuardDrop } from './inspect-identity.js';

/**
 * Why a guard kept a value or a link out, in words, with the setting that did it and where it is
 * declared (docs/identity.md#blocklist, docs/identity-guards.md#hubs), for `cdp inspect`.
 */
export function explainGuard(drop: GuardDrop, project: LoadedProject): string {
  const identity = project.identity;
  const link = drop.other ? ` (link to ${drop.other.idType}:${drop.other.idValue}${drop.source ? ` in ${drop.source}` : ''})` : '';
  switch (drop.reason) {
    case 'blocklist': {
      const rule = /^blocklist\[(\d+)\] (\S+) (=|~) (.*)$/.exec(drop.detail);
      if (rule && identity) {
        const at = identity.origin.file.locate([...identity.origin.path, 'blocklist', Number(rule[1])]);
        const what = rule[3] === '~' ? `matches the pattern ${rule[4]}` : `is the value ${rule[4]}`;
        return `blocklisted${link}: it ${what}, identity.blocklist[${rule[1]}] at ${at.file}:${at.line ?? 1}`;
      }
      if (drop.detail.startsWith('default: ')) {
        return `blocklisted${link}: on the built-in list of placeholder values (${drop.detail.slice(9)}); set identity.default_blocklist: false to use only your own list`;
      }
      return `blocklisted${link}: ${drop.detail}`;
    }
    case 'hub':
      return `a hub${link}: seen with more than identity.max_links_per_value (${identity?.max_links_per_value ?? 50}) stronger identifiers, so it links no one`;
    case 'window':
      return `outside the link window${link}: last seen ${String(drop.lastSeen)}; ${drop.detail}`;
    case 'limit':
      return `over a per-type limit${link}: ${drop.detail}`;
  }
}

/** Each explanation once, in order (a value is often dropped the same way from several sources). */
export function explainGuards(drops: readonly GuardDrop[], project: LoadedProject): string[] {
  return [...new Set(drops.map((d) => explainGuard(d, project)))];
}
