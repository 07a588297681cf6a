import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { inspectIdentity, type IdentifierRef, type InspectedIdentifier } from '../../identity/inspect-identity.js';
import { quarantinedRows } from '../../identity/quarantined-rows.js';
import { PROFILE_ID, profileAnchor } from '../../identity/profile-anchor.js';
import { explainGuard, explainGuards } from '../../identity/explain-guard.js';
import { inspectProfile } from '../../profile/inspect-profile.js';
import { inspectHtml } from '../../report/inspect-html.js';
import { profileSyncStates } from '../../sync/profile-sync-state.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { printAccount } from './inspect-account.js';

const ref = (r: IdentifierRef) => `${r.idType}:${r.idValue}`;

export const inspectCommand: CliCommand = {
  name: 'inspect',
  description: "one person's 360° view: identifiers and why they link, traits, segments",
  arguments: [{ spec: '<identifier>', description: 'type:value, e.g. email:jane@example.org or user_id:u_42; or a profile id (p_…); or account:<domain, type:value or acc_ id>' }],
  options: [{ flags: '--html [file]', description: 'also write the identity graph, traits, segments and destination state as an interactive page (default target/inspect/<type>-<value>.html)' }],
  async run(ctx, args, options) {
    let text = String(args[0]);
    const byProfile = PROFILE_ID.test(text);
    if (!byProfile && (text.indexOf(':') <= 0 || text.indexOf(':') === text.length - 1)) {
      throw new ProjectError([error('invalid-argument', `'${text}' is not type:value or a profile id`, {}, 'e.g. cdp inspect email:jane@example.org, or cdp inspect p_1417a6c2a0d748d6')]);
    }
    const project = await ctx.project({ warehouse: true });
    const warehouse = await ctx.readOnlyWarehouse(project);
    try {
      if (text.startsWith('account:')) return await printAccount(ctx, project, warehouse, text.slice('account:'.length));
      const r = ctx.reporter;
      if (byProfile) {
        const anchor = await profileAnchor(warehouse, project, text);
        if (!anchor.found) {
          r.info(`${text}: no profile (${anchor.reason === 'not-built' ? 'identity has not been built yet: run `cdp build`' : 'no profile has this id, and none absorbed it; ids come from `cdp build` output, `cdp inspect type:value` or the profiles table'})`);
          r.summary({ found: false, profileId: text, reason: anchor.reason });
          return ExitCode.ok;
        }
        if (anchor.absorbedInto) r.info(`${text} was merged into ${anchor.absorbedInto}`);
        text = `${anchor.idType}:${anchor.idValue}`;
      }
      const at = text.indexOf(':');
      const identity = await inspectIdentity(warehouse, project, text.slice(0, at), text.slice(at + 1));
      if (!identity.found) {
        const why = {
          'unknown-type': `'${identity.query.idType}' is not an identifier type of this project`,
          invalid: 'the value is empty after normalisation',
          'not-built': 'identity has not been built yet: run `cdp build`',
          blocklist: `the value is blocklisted${identity.blocked_by ? ` by rule '${identity.blocked_by}'` : ''}, so it links no one`,
          hub: 'the value is a hub (shared by too many people), so it links no one',
          'not-seen': 'no source row has this identifier',
        }[identity.reason];
        r.info(`${ref(identity.query)}: no profile (${why})`);
        for (const line of explainGuards(identity.dropped, project)) r.info(`  ${line}`);
        if (options.html !== undefined && options.html !== false) r.info('no profile, so no graph page was written');
        r.summary(identity);
        return ExitCode.ok;
      }
      const profile = await inspectProfile(warehouse, project, identity.profileId);
      r.info(`profile ${identity.profileId}${identity.aliases.length ? ` (absorbed ${identity.aliases.join(', ')})` : ''}`);
      r.info(`\nidentifiers (${identity.identifiers.length}${identity.truncated ? '+' : ''}):`);
      for (const id of identity.identifiers) r.info(`  ${ref(id)}  ${linkText(id)}`);
      if (identity.dropped.length) {
        r.info('\nkept apart by guards:');
        for (const line of new Set(identity.dropped.map((drop) => `${ref(drop.identifier)}: ${explainGuard(drop, project)}`))) r.info(`  ${line}`);
      }
      const quarantined = await quarantinedRows(warehouse, project, identity.identifiers);
      if (quarantined.length) {
        r.info('\nbad rows left out (docs/bad-rows.md):');
        for (const q of quarantined) r.info(`  ${q.source}: ${q.rows} row${q.rows === 1 ? '' : 's'} (${q.badColumns}${q.rows > 1 ? ', ...' : ''}) in ${q.table}`);
      }
      if (profile) {
        r.info('\ntraits:');
        const width = Math.max(0, ...Object.keys(profile.traits).map((k) => k.length));
        for (const [name, value] of Object.entries(profile.traits)) r.info(`  ${name.padEnd(width)}  ${value === null ? '-' : String(value)}`);
        r.info('\nsegments:');
        for (const s of profile.segments) {
          const inputs = Object.entries(s.inputs).map(([k, v]) => `${k} = ${String(v)}`).join(', ');
          r.info(`  ${s.member ? 'in ' : 'out'} ${s.segment}${s.member ? ` since ${String(s.enteredAt)}` : ''}: ${s.where}${inputs ? `  (${inputs})` : ''}`);
        }
      }
      const destinations = await profileSyncStates(warehouse, project, identity.profileId);
      for (const d of destinations) {
        r.info(`\n${d.sync} (${d.destination} ${d.object}): ${d.record ? `record ${d.record.destinationId ?? '?'}, confirmed ${String(d.record.syncedAt)}` : 'not synced'}`);
        for (const x of d.rejections) r.info(`  rejected (${x.code}): ${x.message}`);
      }
      let html: string | undefined;
      if (options.html !== undefined && options.html !== false) {
        const safe = `${identity.query.idType}-${identity.query.idValue}`.replace(/[^A-Za-z0-9._@-]+/g, '_').slice(0, 120);
        html = resolve(project.dir, typeof options.html === 'string' ? options.html : join('target', 'inspect', `${safe}.html`));
        await mkdir(dirname(html), { recursive: true });
        await writeFile(html, await inspectHtml({ project: project.config.project, identity, profile: profile ?? null, destinations }));
        r.info(`\ngraph: ${html}`);
      }
      r.summary({ ...identity, profile, quarantined, destinations, ...(html ? { html } : {}) });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};

function linkText(id: InspectedIdentifier): string {
  if (id.path.length === 0) return '(the identifier you asked for)';
  return id.path
    .map((step) => {
      const e = step.evidence[0];
      const evidence = e ? ` [${e.source}, ${e.rows} row${e.rows === 1 ? '' : 's'}${e.example !== null ? `, e.g. ${String(e.example)}` : ''}]` : '';
      return `<- ${ref(step.from)}${evidence}`;
    })
    .join(' ');
}
