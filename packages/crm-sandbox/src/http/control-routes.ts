import { FaultConfigError } from './fault-injector.js';
import { jsonReply, type HttpReply } from './http-reply.js';
import { parseJsonText } from './request-body.js';

/** A control endpoint of one CRM only: gets the request body text, answers a reply. */
export type ControlRoute = (bodyText: string) => HttpReply;

/** The fault injection a sandbox exposes at `/__sandbox/faults`. */
export interface ControlledFaults {
  state(): unknown;
  clear(): void;
  /** Replaces the faults; throws FaultConfigError on invalid input; answers the new state. */
  setFromJson(input: unknown): unknown;
}

/** What each sandbox plugs into the shared `/__sandbox/*` routes. */
export interface SandboxControl {
  /** `GET /__sandbox/state`: everything the sandbox holds, as plain JSON. */
  readonly state: () => unknown;
  /** `GET /__sandbox/stats`. */
  readonly stats: () => unknown;
  readonly faults: ControlledFaults;
  /** `POST /__sandbox/reset`: store, stats, limits and faults back to a fresh start. */
  readonly reset: () => void;
  /** Endpoints only this CRM has, keyed `METHOD /__sandbox/name`. */
  readonly routes?: Readonly<Record<string, ControlRoute>>;
}

/** Whether a request path belongs to the control API rather than the CRM's own API. */
export function isControlPath(path: string): boolean {
  return path === '/__sandbox' || path.startsWith('/__sandbox/');
}

/**
 * `/__sandbox/*`, the same on both sandboxes: lets another process (a CLI-spawned sandbox and a test,
 * say) drive the sandbox. No authentication; the servers listen on 127.0.0.1 by default.
 *   GET  /__sandbox/state    store dump          GET    /__sandbox/stats
 *   GET  /__sandbox/faults   current faults      POST   /__sandbox/faults  (replace; JSON body)
 *   DELETE /__sandbox/faults clear faults        POST   /__sandbox/reset   (store, stats, limits, faults)
 * plus the CRM's own `routes`. `bodyText` is undefined when the body was larger than the server takes.
 */
export function handleControlRequest(control: SandboxControl, method: string, path: string, bodyText: string | undefined): HttpReply {
  if (bodyText === undefined) return jsonReply(413, { status: 'error', message: 'body too large' });
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /__sandbox/state':
      return jsonReply(200, control.state());
    case 'GET /__sandbox/stats':
      return jsonReply(200, control.stats());
    case 'GET /__sandbox/faults':
      return jsonReply(200, { faults: control.faults.state() });
    case 'DELETE /__sandbox/faults':
      control.faults.clear();
      return jsonReply(200, { faults: control.faults.state() });
    case 'POST /__sandbox/faults': {
      const parsed = parseJsonText(bodyText);
      if (!parsed.ok) return jsonReply(400, { status: 'error', message: `Invalid JSON: ${parsed.message}`, issues: [] });
      try {
        return jsonReply(200, { faults: control.faults.setFromJson(parsed.value) });
      } catch (error) {
        if (error instanceof FaultConfigError) return jsonReply(400, { status: 'error', message: error.message, issues: error.issues });
        throw error;
      }
    }
    case 'POST /__sandbox/reset':
      control.reset();
      return jsonReply(200, { status: 'reset' });
    default: {
      const own = Object.hasOwn(control.routes ?? {}, route) ? control.routes?.[route] : undefined;
      return own ? own(bodyText) : jsonReply(404, { status: 'error', message: `Unknown sandbox control endpoint: ${route}` });
    }
  }
}
