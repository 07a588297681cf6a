import { describe, expect, it } from 'vitest';
import { identityGateSchema } from '../../src/config/schema.js';
import { evaluateIdentityGate, recheckIdentityGate } from '../../src/identity/identity-gate.js';
import type { IdentityReport } from '../../src/identity/identity-report.js';

const defaults = identityGateSchema.parse({});

function report(over: Partial<IdentityReport>): IdentityReport {
  return {
    mode: 'incremental', profiles: 1000, identifiers: 2500, identifiersChanged: 0, edges: 1500, edgesAdded: 0, edgesRemoved: 0, rounds: 1,
    largest: [{ profileId: 'p_a', identifiers: 12 }], histogram: [], hubs: 0, blockedValues: 0, droppedByLimit: 0, droppedByWindow: 0,
    changes: { new: 0, merge: 0, split: 0, retire: 0 }, oversized: [], maxProfileSize: 1000, top1PctMeanSize: 10, previousProfiles: 1000, newHubs: 0, seconds: 1,
    ...over,
  };
}
const exceeded = (g: { checks: readonly { check: string; exceeded: boolean }[] }) => g.checks.filter((c) => c.exceeded).map((c) => c.check);

describe('identity quality gate', () => {
  it('passes an ordinary build and the first build', () => {
    expect(evaluateIdentityGate('r1', defaults, report({}), { previousTop1PctMeanSize: 10, acceptedLargest: 12 }).status).toBe('passed');
    const first = evaluateIdentityGate('r0', defaults, report({ previousProfiles: 0, changes: { new: 1000, merge: 0, split: 0, retire: 0 } }), { previousTop1PctMeanSize: null, acceptedLargest: null });
    expect(first.status).toBe('passed');
    // A first build's hubs are not "new": the sample project has 19 (shared devices, none@none.com).
    const hubs = evaluateIdentityGate('r0', defaults, report({ previousProfiles: 0, newHubs: 19, hubs: 19 }), { previousTop1PctMeanSize: null, acceptedLargest: null });
    expect(hubs.status).toBe('passed');
    expect(hubs.checks.find((c) => c.check === 'new_hubs')).toMatchObject({ value: 0, exceeded: false });
  });

  it('trips each threshold on its own', () => {
    const base = { previousTop1PctMeanSize: 10, acceptedLargest: 12 };
    expect(exceeded(evaluateIdentityGate('r', defaults, report({ largest: [{ profileId: 'p_x', identifiers: 201 }], top1PctMeanSize: 10 }), base))).toEqual(['largest_profile']);
    expect(exceeded(evaluateIdentityGate('r', defaults, report({ changes: { new: 0, merge: 30, split: 21, retire: 0 } }), base))).toEqual(['changed_pct']);
    expect(exceeded(evaluateIdentityGate('r', defaults, report({ changes: { new: 0, merge: 30, split: 20, retire: 0 } }), base))).toEqual([]);
    expect(exceeded(evaluateIdentityGate('r', defaults, report({ newHubs: 11, hubs: 40 }), base))).toEqual(['new_hubs']);
    expect(exceeded(evaluateIdentityGate('r', defaults, report({ top1PctMeanSize: 20.5 }), base))).toEqual(['top1pct_growth_pct']);
  });

  it('takes an accepted largest profile as the new normal, and is off when disabled', () => {
    const big = report({ largest: [{ profileId: 'p_x', identifiers: 450 }], top1PctMeanSize: 10 });
    expect(evaluateIdentityGate('r', defaults, big, { previousTop1PctMeanSize: 10, acceptedLargest: 450 }).status).toBe('passed');
    expect(evaluateIdentityGate('r', defaults, big, { previousTop1PctMeanSize: 10, acceptedLargest: 300 }).status).toBe('tripped');
    expect(evaluateIdentityGate('r', { ...defaults, enabled: false }, big, { previousTop1PctMeanSize: 10, acceptedLargest: null })).toMatchObject({ status: 'off', checks: [] });
  });

  it('re-checks a stored build against the thresholds configured now', () => {
    const gate = evaluateIdentityGate('r', defaults, report({ newHubs: 11 }), { previousTop1PctMeanSize: 10, acceptedLargest: 12 });
    expect(exceeded({ checks: recheckIdentityGate(gate, defaults) })).toEqual(['new_hubs']);
    expect(exceeded({ checks: recheckIdentityGate(gate, { ...defaults, max_new_hubs: 20 }) })).toEqual([]);
    expect(recheckIdentityGate(gate, { ...defaults, enabled: false })).toEqual([]);
  });
});
