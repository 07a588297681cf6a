import type { IdentityGateConfig } from '../config/schema.js';
import type { IdentityReport } from './identity-report.js';

export type GateCheckName = 'largest_profile' | 'changed_pct' | 'new_hubs' | 'top1pct_growth_pct';

/** One threshold of the identity quality gate and the number it was compared with. */
export interface GateCheck {
  readonly check: GateCheckName;
  /** The config key under `identity.gate` that sets the threshold. */
  readonly setting: string;
  readonly value: number;
  readonly limit: number;
  readonly exceeded: boolean;
  readonly detail: string;
  /** largest_profile only: the largest profile accepted before, which the limit never goes below. */
  readonly acceptedLargest?: number;
}

/** The gate's verdict on one build (docs/identity-gate.md). `tripped` holds every sync until accepted. */
export interface IdentityGate {
  readonly runId: string;
  readonly status: 'passed' | 'tripped' | 'off';
  readonly checks: readonly GateCheck[];
  /** The numbers the next build is compared with. */
  readonly largest: number;
  readonly top1PctMeanSize: number;
  /** Set once a tripped gate was accepted (`--accept-identity-change`): by which run, when. */
  readonly acceptedRunId: string | null;
  readonly acceptedAt: string | null;
}

/** What the previous builds left to compare with. */
export interface GateBaseline {
  /** The previous build's mean size of its largest 1% of profiles. */
  readonly previousTop1PctMeanSize: number | null;
  /** The largest profile at the last build that passed or was accepted. */
  readonly acceptedLargest: number | null;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Pure: compares one build's identity report with the thresholds and the previous builds. */
export function evaluateIdentityGate(runId: string, config: IdentityGateConfig, report: IdentityReport, baseline: GateBaseline): IdentityGate {
  const largest = report.largest[0]?.identifiers ?? 0;
  const base = { runId, largest, top1PctMeanSize: report.top1PctMeanSize, acceptedRunId: null, acceptedAt: null };
  if (!config.enabled) return { ...base, status: 'off', checks: [] };

  const largestLimit = Math.max(config.max_largest_profile, baseline.acceptedLargest ?? 0);
  const moved = report.changes.merge + report.changes.split;
  const first = report.previousProfiles === 0;
  const changedPct = report.previousProfiles > 0 ? round((100 * moved) / report.previousProfiles) : 0;
  const previousTop = baseline.previousTop1PctMeanSize;
  const growth = previousTop !== null && previousTop > 0 ? round((100 * (report.top1PctMeanSize - previousTop)) / previousTop) : 0;
  const checks: GateCheck[] = [
    {
      check: 'largest_profile',
      setting: 'max_largest_profile',
      value: largest,
      limit: largestLimit,
      exceeded: largest > largestLimit,
      acceptedLargest: baseline.acceptedLargest ?? 0,
      detail: `the largest profile (${report.largest[0]?.profileId ?? 'none'}) has ${largest} identifiers`,
    },
    {
      check: 'changed_pct',
      setting: 'max_changed_pct',
      value: changedPct,
      limit: config.max_changed_pct,
      exceeded: changedPct > config.max_changed_pct,
      detail:
        report.previousProfiles > 0
          ? `${report.changes.merge} merged and ${report.changes.split} split of ${report.previousProfiles} profiles`
          : 'first build: nothing to compare with',
    },
    {
      check: 'new_hubs',
      setting: 'max_new_hubs',
      // A first build has no hubs to compare with: every hub it finds is "new", so it counts none (like changed_pct).
      value: first ? 0 : report.newHubs,
      limit: config.max_new_hubs,
      exceeded: !first && report.newHubs > config.max_new_hubs,
      detail: first ? `first build: ${report.hubs} hubs, nothing to compare with` : `${report.newHubs} values became hubs (of ${report.hubs} hubs)`,
    },
    {
      check: 'top1pct_growth_pct',
      setting: 'max_top1pct_growth_pct',
      value: growth,
      limit: config.max_top1pct_growth_pct,
      exceeded: growth > config.max_top1pct_growth_pct,
      detail:
        previousTop !== null
          ? `mean size of the largest 1% of profiles ${previousTop} -> ${report.top1PctMeanSize}`
          : 'first build: nothing to compare with',
    },
  ];
  return { ...base, status: checks.some((c) => c.exceeded) ? 'tripped' : 'passed', checks };
}

/**
 * A stored gate's checks against the thresholds configured now: raising a threshold (or turning the
 * gate off) releases a tripped build without accepting it.
 */
export function recheckIdentityGate(gate: IdentityGate, config: IdentityGateConfig): readonly GateCheck[] {
  if (!config.enabled) return [];
  return gate.checks.map((c) => {
    const configured = config[c.setting as keyof Omit<IdentityGateConfig, 'enabled'>];
    const limit = c.check === 'largest_profile' ? Math.max(configured, c.acceptedLargest ?? 0) : configured;
    return { ...c, limit, exceeded: c.value > limit };
  });
}

/** The gate as terminal lines. */
export function formatIdentityGate(gate: IdentityGate): string[] {
  if (gate.status === 'off') return ['identity gate: off'];
  const exceeded = gate.checks.filter((c) => c.exceeded);
  if (gate.status === 'passed' || gate.acceptedRunId !== null) {
    const why = gate.acceptedRunId !== null ? ` (accepted by run ${gate.acceptedRunId})` : '';
    return [`identity gate: ${gate.status === 'passed' ? 'passed' : 'tripped'}${why}`];
  }
  return [
    `identity gate: tripped by build ${gate.runId}; syncs will not send until the change is accepted (--accept-identity-change) or the config is fixed`,
    ...exceeded.map((c) => `  ${c.check}: ${c.value} > ${c.limit} (identity.gate.${c.setting}): ${c.detail}`),
  ];
}
