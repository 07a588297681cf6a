import { afterEach, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

const PERSON = yaml`
  sources:
    - name: contacts
      table: raw.contacts
      identifiers: [{ column: email, type: email }]
    - name: companies
      entity: account
      table: raw.companies
      identifiers: [{ column: id, type: company_id }, { column: site, type: domian }]
  identity:
    id_types: { email: { priority: 1 } }
  traits:
    - { name: lifetime_value, from: contacts, aggregate: count }
    - { name: wrong_side, from: companies, aggregate: count }
  segments:
    - { name: high_intent, where: "lifetime_value > 1" }
`;

describe('cdp validate: accounts', () => {
  it('points at each mistake in the accounts: block with file:line:col and a hint', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': `${PERSON}${yaml`
        accounts:
          id_types:
            company_id: { priority: 1 }
            domain: { priority: 2, normalize: domain, link_window: 30d }
          membership:
            - { source: companies, column: id, id_type: company_id }
            - { source: contacts, column: company, id_type: compnay_id }
          traits:
            - { name: seats, from: contacts, aggregate: count }
            - { name: ltv, rollup: sum, trait: lifetime_valeu }
            - { name: hot_people, rollup: count, segment: high_intnet }
            - { name: odd, rollup: sum }
            - { name: score, sql: "ltvv * 2" }
          segments:
            - { name: big, where: "seatss > 10" }
      `}`,
    });
    dirs.push(dir);
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    const err = result.stderr;
    expect(err).toMatch(/models\/m\.yaml:\d+:\d+.*identifier type 'domian' is not declared in accounts\.id_types[\s\S]*did you mean 'domain'\?/);
    expect(err).toMatch(/models\/m\.yaml:\d+:\d+.*trait 'wrong_side' reads account source 'companies'/);
    expect(err).toMatch(/models\/m\.yaml:\d+:\d+.*membership reads 'companies', an account source/);
    expect(err).toMatch(/membership id_type 'compnay_id' is not declared in accounts\.id_types[\s\S]*did you mean 'company_id'\?/);
    expect(err).toMatch(/account trait 'seats' reads person source 'contacts'/);
    expect(err).toMatch(/models\/m\.yaml:\d+:\d+.*account trait 'ltv' rolls up 'lifetime_valeu', which is not a person trait[\s\S]*did you mean 'lifetime_value'\?/);
    expect(err).toMatch(/account trait 'hot_people' counts members of 'high_intnet', which is not a person segment[\s\S]*did you mean 'high_intent'\?/);
    expect(err).toMatch(/account trait 'odd' \(rollup: sum\) needs trait:/);
    expect(err).toMatch(/models\/m\.yaml:\d+:\d+.*accounts\.id_types\.domain\.link_window is not enforced on accounts yet/);
    expect(err).toMatch(/account trait 'score' refers to 'ltvv'[\s\S]*did you mean 'ltv'\?/);
    expect(err).toMatch(/account segment 'big' refers to 'seatss'[\s\S]*did you mean 'seats'\?/);
    // The position is the key at fault: the rolled-up trait's line in the file.
    const line = PERSON.split('\n').length - 1 + 10;
    expect(err).toMatch(new RegExp(`models/m\\.yaml:${line}:\\d+.*rolls up 'lifetime_valeu'`));
  });

  it('an account source without an accounts: block is an error; a person-only project is unchanged', async () => {
    const dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': PERSON.replace(/  - \{ name: wrong_side.*\n/, '') });
    dirs.push(dir);
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/models\/m\.yaml:\d+:\d+.*source 'companies' is an account source but the project has no accounts: block/);
  });

  it('accounts without person identity is an error at the accounts: block', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': yaml`
        accounts:
          id_types: { domain: { normalize: domain } }
          traits:
            - { name: members, rollup: count }
      `,
    });
    dirs.push(dir);
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/models\/m\.yaml:2:\d+.*accounts are built from persons .* no identity: block/);
  });
});
