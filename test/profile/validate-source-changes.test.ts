import { afterEach, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

describe('cdp validate: changes: on sources (docs/incremental.md)', () => {
  it('points at an append source without a timestamp and at late_arrival on a source that is not append', async () => {
    const models = yaml`
      sources:
        - name: events
          table: raw.events
          changes: append
          identifiers: [{ column: email, type: email }]
        - name: crm
          table: raw.crm
          changes: snapshot
          late_arrival: 2d
          identifiers: [{ column: email, type: email }]
        - name: orders
          table: raw.orders
          changes: apend
      identity:
        id_types: { email: { priority: 1 } }
    `;
    const dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': models });
    dirs.push(dir);
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    const line = (text: string) => models.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(result.stderr).toMatch(new RegExp(`models/m\\.yaml:${line('changes: append')}:\\d+ .*source 'events' is changes: append, which finds new rows by time, but declares no timestamp:[\\s\\S]*add timestamp: <column>`));
    expect(result.stderr).toMatch(new RegExp(`models/m\\.yaml:${line('late_arrival: 2d')}:\\d+ .*late_arrival applies to changes: append sources; source 'crm' is changes: snapshot`));
    expect(result.stderr).toMatch(new RegExp(`models/m\\.yaml:${line('changes: apend')}:\\d+ .*(full|append|snapshot)`));
  });
});
