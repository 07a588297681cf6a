import { jsonReply, type HttpReply } from '../http/http-reply.js';

/** A per-record error inside a collection / DML result (docs/crm/salesforce.md#errors: `statusCode`, not `errorCode`). */
export interface SaveError {
  readonly statusCode: string;
  readonly message: string;
  readonly fields: readonly string[];
}

/** A request-level error reply: a JSON array of `{message, errorCode, fields?}` (docs/crm/salesforce.md#errors). */
export function apiError(status: number, errorCode: string, message: string, fields?: readonly string[]): HttpReply {
  return jsonReply(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);
}

/** Thrown by route code to answer with a request-level error. */
export class SalesforceHttpError extends Error {
  constructor(readonly reply: HttpReply) {
    super(`Salesforce sandbox error reply ${reply.status}`);
    this.name = 'SalesforceHttpError';
  }
}

export function fail(status: number, errorCode: string, message: string, fields?: readonly string[]): never {
  throw new SalesforceHttpError(apiError(status, errorCode, message, fields));
}

/** A record error rendered at request level (single-record endpoints answer 400 with it). */
export function saveErrorReply(status: number, errors: readonly SaveError[]): HttpReply {
  return jsonReply(status, errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';
export const SESSION_INVALID_MESSAGE = 'Session expired or invalid';
export const ROLLED_BACK_MESSAGE = 'Record rolled back because not all records were valid and the request was using AllOrNone header';
export const TOO_MANY_RECORDS_MESSAGE = 'record limit reached. cannot submit more than 200 records into this call';

export const notFound = (): HttpReply => apiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
export const invalidSession = (): HttpReply => apiError(401, 'INVALID_SESSION_ID', SESSION_INVALID_MESSAGE);

const err = (statusCode: string, message: string, fields: readonly string[] = []): SaveError => ({ statusCode, message, fields });

/** Per-record errors, with Salesforce's wording (docs/crm/salesforce.md#errors table). */
export const recordErrors = {
  requiredMissing: (fields: readonly string[]) => err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, fields),
  invalidEmail: (field: string, label: string, value: string) => err('INVALID_EMAIL_ADDRESS', `${label}: invalid email address: ${value}`, [field]),
  stringTooLong: (field: string, label: string, value: string, max: number) => err('STRING_TOO_LONG', `${label}: data value too large: ${value} (max length=${max})`, [field]),
  badPicklist: (field: string, label: string, value: string) => err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${label}: bad value for restricted picklist field: ${value}`, [field]),
  /** UNCONFIRMED: whether collections report this per record (settled: yes). */
  noSuchColumn: (column: string, sobject: string) => err('INVALID_FIELD', `No such column '${column}' on sobject of type ${sobject}`),
  notWritable: (fields: readonly string[]) =>
    err('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, fields),
  idOnInsert: () => err('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']),
  /** UNCONFIRMED wording. */
  idOnUpsert: () => err('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an upsert call', ['Id']),
  /** Bulk API's wording for a value of the wrong type; used for JSON too (UNCONFIRMED there). */
  wrongType: (field: string, label: string, value: string) => err('INVALID_TYPE_ON_FIELD_IN_RECORD', `${label}: value not of required type: ${value}`, [field]),
  outOfRange: (field: string, label: string, value: string) => err('NUMBER_OUTSIDE_VALID_RANGE', `${label}: value outside of valid range on numeric field: ${value}`, [field]),
  malformedId: (value: string) => err('MALFORMED_ID', `malformed id ${value}`),
  lookupMalformed: (field: string, label: string, value: string) => err('MALFORMED_ID', `${label}: id value of incorrect type: ${value}`, [field]),
  lookupWrongType: (field: string, label: string, value: string) => err('FIELD_INTEGRITY_EXCEPTION', `${label}: id value of incorrect type: ${value}`, [field]),
  crossReference: () => err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'),
  entityDeleted: () => err('ENTITY_IS_DELETED', 'entity is deleted'),
  missingId: () => err('MISSING_ARGUMENT', 'Id not specified in an update call'),
  missingKey: (field: string) => err('MISSING_ARGUMENT', `${field} not specified`),
  duplicateValue: (field: string, id: string) => err('DUPLICATE_VALUE', `duplicate value found: ${field} duplicates value on record with id: ${id}`),
  duplicateKeyInRequest: (value: string) => err('DUPLICATE_VALUE', `Duplicate external id specified: ${value}`),
  duplicateExternalId: (field: string, ids: readonly string[]) => err('DUPLICATE_EXTERNAL_ID', `${field}: more than one record found for external id field: [${ids.join(', ')}]`),
  alreadyMember: () => err('DUPLICATE_VALUE', 'Already a campaign member.'),
  rolledBack: () => err('ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK_MESSAGE),
  lockRow: () => err('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record'),
  wrongSObject: (given: string, expected: string) => err('INVALID_TYPE', `Cannot process records of type ${given} in a request for ${expected}`),
  notCreateable: (sobject: string) => err('INVALID_TYPE', `sObject type '${sobject}' is not supported.`),
  custom: (statusCode: string, message: string, fields: readonly string[]) => err(statusCode, message, fields),
} as const;

/** Bulk API's `sf__Error` text: `CODE:message:Field1,Field2 --` (`CODE:message:--` without fields). */
export function bulkErrorText(errors: readonly SaveError[]): string {
  const e = errors[0];
  return `${e.statusCode}:${e.message}:${e.fields.length > 0 ? `${e.fields.join(',')} ` : ''}--`;
}
