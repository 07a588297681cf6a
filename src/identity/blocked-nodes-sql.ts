import { createHash } from 'node:crypto';
import type { Dialect } from '../dialect/dialect.js';
import { statementsStep, type PlanStep } from '../model/plan.js';
import type { IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { blockedBySql } from './normalize-sql.js';

/**
 * Which values the blocklist blocks, tested once per value instead of on every build (docs/identity.md#blocklist).
 * A value gets a node only when the blocklist does not block it, and the blocklist depends on nothing but the value,
 * its type and the rules. So while the rules stay the same, a value with a node is blocked only if it was when the
 * rules last changed: `blocked` lists those nodes, for the rules whose fingerprint `state` holds as `blocklist`.
 * A build tests the rules on values without a node and reads `blocked` for the others.
 */

/** The rules as this engine tests them: a hash of the test itself, so any change to a rule, a type or the engine's SQL counts. */
function blocklistFingerprint(d: Dialect, spec: IdentitySpec): string {
  return createHash('sha256').update(blockedBySql(d, spec, 'id_type', 'id_value')).digest('hex').slice(0, 16);
}

/**
 * Before any value is keyed: when the rules differ from those `blocked` was made for, it is made again from every
 * node (one transaction with the new fingerprint). A full build's reset empties `blocked` with the nodes, which is
 * right for any rules (identity-plan.ts).
 */
export function blockedNodesStep(d: Dialect, spec: IdentitySpec, t: IdentityTables): PlanStep {
  const fingerprint = blocklistFingerprint(d, spec);
  const blockedBy = blockedBySql(d, spec, 'n.id_type', 'n.id_value');
  return {
    kind: 'decide',
    id: 'identity.blocklist',
    stage: 'identity',
    label: 'identity: blocklist',
    on: { query: `select value from ${d.table(t.state)} where name = 'blocklist'` },
    choose: ({ rows }) => (rows.length === 1 && String(rows[0].value) === fingerprint ? 'same' : 'changed'),
    branches: {
      changed: {
        when: 'on the first build, or when a blocklist rule or an identifier type changed: every node is tested',
        steps: [
          statementsStep(
            'identity',
            'identity.blocklist.nodes',
            'identity: blocklist',
            [
              `delete from ${d.table(t.blocked)} where 1 = 1`,
              `insert into ${d.table(t.blocked)} (node_key, blocked_by) select node_key, blocked_by from (select n.node_key, ${blockedBy} as blocked_by from ${d.table(t.nodes)} n) x where blocked_by is not null`,
              `delete from ${d.table(t.state)} where name = 'blocklist'`,
              `insert into ${d.table(t.state)} (name, value) values ('blocklist', ${d.stringLiteral(fingerprint)})`,
            ],
            { transaction: true },
          ),
        ],
      },
      same: { when: 'otherwise: only values without a node are tested', steps: [] },
    },
  };
}
