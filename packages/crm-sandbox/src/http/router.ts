/**
 * A tiny path router: templates like `/crm/v3/lists/{listId}/memberships`. A literal segment beats a
 * `{param}` segment, so `/groups` wins over `/{propertyName}`. Trailing slashes are ignored.
 */
export interface Route<H> {
  readonly method: string;
  readonly template: string;
  readonly handler: H;
}

export type RouteMatch<H> =
  | { readonly kind: 'found'; readonly route: Route<H>; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

type Segment = { readonly literal: string } | { readonly param: string };

interface Compiled<H> {
  readonly route: Route<H>;
  readonly segments: readonly Segment[];
  readonly literals: number;
}

export class Router<H> {
  private readonly routes: Compiled<H>[] = [];

  add(method: string, template: string, handler: H): this {
    const segments = splitPath(template).map((s): Segment => {
      const m = /^\{(\w+)\}$/.exec(s);
      return m ? { param: m[1] } : { literal: s };
    });
    const literals = segments.filter((s) => 'literal' in s).length;
    this.routes.push({ route: { method: method.toUpperCase(), template, handler }, segments, literals });
    return this;
  }

  match(method: string, path: string): RouteMatch<H> {
    const parts = splitPath(path);
    const candidates: { compiled: Compiled<H>; params: Record<string, string> }[] = [];
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, parts);
      if (params) candidates.push({ compiled, params });
    }
    if (candidates.length === 0) return { kind: 'not-found' };
    const sameMethod = candidates.filter((c) => c.compiled.route.method === method.toUpperCase());
    if (sameMethod.length === 0) {
      return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((c) => c.compiled.route.method))] };
    }
    const best = sameMethod.reduce((a, b) => (b.compiled.literals > a.compiled.literals ? b : a));
    return { kind: 'found', route: best.compiled.route, params: best.params };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if ('literal' in segment) {
      if (segment.literal !== parts[i]) return undefined;
    } else {
      try {
        params[segment.param] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    }
  }
  return params;
}
