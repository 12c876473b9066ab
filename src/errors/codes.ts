/**
 * The one registry of Whirl's error codes: a stable identifier, the HTTP status, and the message template.
 * Messages follow OpenWhisk's `Messages` where one exists, so existing clients show the same text.
 * `docs/errors.md` lists every code; a test keeps the two in step. Tests assert codes, never messages.
 */
export const ErrorCodes = {
  // --- request shape ---
  WHIRL_BAD_REQUEST: { status: 400, message: '{0}' },
  WHIRL_INVALID_JSON: { status: 400, message: 'The request content was malformed:\n{0}' },
  WHIRL_INVALID_NAME: { status: 400, message: 'The name "{0}" is not valid.' },
  WHIRL_INVALID_ACTIVATION_ID: { status: 400, message: 'The activation id is not valid: {0}' },
  WHIRL_INVALID_LIMIT: { status: 400, message: 'The value {1} for limit {0} is not in the range of {2} to {3}.' },
  WHIRL_LIST_LIMIT: { status: 400, message: "The value '{0}' is not in the range of 0 to {1} for {2}." },
  WHIRL_INVALID_TIMEOUT: { status: 400, message: 'Timeout must be number of milliseconds up to {0}.' },
  WHIRL_UNSUPPORTED_KIND: {
    status: 400,
    message: "The specified runtime '{0}' is not supported by this platform. Valid values are: {1}.",
  },
  WHIRL_MISSING_EXEC: { status: 400, message: 'The request content was malformed:\nexec undefined' },
  WHIRL_CODE_TOO_LARGE: { status: 413, message: 'Code size {0} exceeds the allowed limit of {1} bytes.' },
  WHIRL_NAME_FILTER: { status: 400, message: "Parameter may be a 'simple' name or 'package-name/simple' name." },
  WHIRL_DOCS_WITH_COUNT: { status: 400, message: "The parameter 'docs' is not permitted with 'count'." },
  WHIRL_FINAL_PARAMS: {
    status: 400,
    message: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  },
  WHIRL_SEQUENCE_EMPTY: { status: 400, message: 'No component specified for the sequence.' },
  WHIRL_SEQUENCE_TOO_LONG: { status: 400, message: 'Too many actions in the sequence.' },
  WHIRL_SEQUENCE_CYCLIC: { status: 400, message: 'Sequence may not refer to itself.' },
  WHIRL_SEQUENCE_COMPONENT_MISSING: { status: 400, message: 'Sequence component does not exist.' },
  WHIRL_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type: {0}' },
  // --- size ---
  WHIRL_ENTITY_TOO_LARGE: { status: 413, message: 'Request larger than allowed: {0} > {1} bytes.' },
  // --- auth ---
  WHIRL_UNAUTHENTICATED: { status: 401, message: 'The supplied authentication is invalid.' },
  WHIRL_FORBIDDEN: { status: 403, message: 'The supplied authentication is not authorized to access this resource.' },
  // --- lookup ---
  WHIRL_NOT_FOUND: { status: 404, message: 'The requested resource does not exist.' },
  WHIRL_METHOD_NOT_ALLOWED: { status: 405, message: 'The requested method is not allowed for this resource.' },
  WHIRL_CONFLICT: { status: 409, message: 'resource already exists' },
  WHIRL_CONCURRENT_MODIFICATION: { status: 409, message: 'Concurrent modification to resource detected.' },
  // --- capacity ---
  WHIRL_THROTTLED_RATE: { status: 429, message: 'Too many requests in the last minute (count: {0}, allowed: {1}).' },
  WHIRL_THROTTLED_CONCURRENT: {
    status: 429,
    message: 'Too many concurrent requests in flight (count: {0}, allowed: {1}).',
  },
  WHIRL_UNAVAILABLE: { status: 503, message: 'Service unavailable: {0}' },
  // --- internal ---
  WHIRL_INTERNAL: { status: 500, message: 'Internal server error.' },
  WHIRL_STORE_UNAVAILABLE: { status: 503, message: 'The store is not reachable: {0}' },
  WHIRL_QUEUE_UNAVAILABLE: { status: 503, message: 'The activation queue is not reachable: {0}' },
  // --- API (actions) ---
  WHIRL_MISSING_CODE: { status: 400, message: 'The request content was malformed:\ncode undefined' },
  WHIRL_BLACKBOX_IMAGE: { status: 400, message: "The 'blackbox' kind requires an image." },
  WHIRL_PARAMETERS_TOO_LARGE: { status: 413, message: 'Parameters size {0} exceeds the allowed limit of {1} bytes.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCodes;
