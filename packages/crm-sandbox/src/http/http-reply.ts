import type { ServerResponse } from 'node:http';

/** What a sandbox route answers, as data: the server writes it, or (fault injection) drops it unwritten. */
export interface HttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Already serialised body; absent for an empty body. */
  readonly body?: string;
  /** Defaults to `application/json;charset=utf-8`. */
  readonly contentType?: string;
}

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';

export function jsonReply(status: number, value: unknown, headers?: Readonly<Record<string, string>>): HttpReply {
  return { status, body: JSON.stringify(value), contentType: JSON_CONTENT_TYPE, ...(headers ? { headers } : {}) };
}

/** A body-less reply (e.g. 204) that still carries a Content-Type, because some clients require one. */
export function emptyReply(status: number, headers?: Readonly<Record<string, string>>): HttpReply {
  return { status, contentType: JSON_CONTENT_TYPE, ...(headers ? { headers } : {}) };
}

export function withHeaders(reply: HttpReply, headers: Readonly<Record<string, string>>): HttpReply {
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

export function writeReply(res: ServerResponse, reply: HttpReply): void {
  const body = reply.body ?? '';
  const headers: Record<string, string | number> = {
    ...reply.headers,
    'Content-Type': reply.contentType ?? JSON_CONTENT_TYPE,
  };
  if (reply.status !== 204 && reply.status !== 304) headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(reply.status, headers);
  res.end(reply.status === 204 || reply.status === 304 ? undefined : body);
}
