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
  WHIRL_MALFORMED_REQUEST: { status: 400, message: 'The request is not valid HTTP ({0}).' },
  WHIRL_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  // --- size ---
  WHIRL_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large.' },
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
  WHIRL_THROTTLED_AUTH: {
    status: 429,
    message: 'Too many failed authentication attempts in the last minute (count: {0}, allowed: {1}).',
  },
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
  WHIRL_CONTAINER_ENGINE_REQUIRED: {
    status: 400,
    message:
      "The image '{0}' needs a container engine (Docker): this Whirl runs actions as local processes (WHIRL_CONTAINERS=process), which run only {1}.",
  },
  WHIRL_PARAMETERS_TOO_LARGE: { status: 413, message: 'Parameters size {0} exceeds the allowed limit of {1} bytes.' },
  // --- packages, triggers, rules, feeds (issue 5 part A) ---
  WHIRL_RESERVED_NAME: { status: 400, message: 'The name "{0}" is reserved.' },
  WHIRL_BINDING_MISSING: { status: 400, message: 'Binding references a package that does not exist.' },
  WHIRL_BINDING_TO_BINDING: { status: 400, message: 'Cannot bind to another package binding.' },
  WHIRL_BINDING_OPERATION: { status: 400, message: 'Operation not permitted on package binding.' },
  WHIRL_PACKAGE_KIND_CHANGE: { status: 409, message: 'Resource is a {0} and cannot be converted into a {1}.' },
  WHIRL_PACKAGE_NOT_EMPTY: {
    status: 409,
    message: 'Package not empty (contains {0} entities). Set force param or delete package contents.',
  },
  WHIRL_RULE_NO_TRIGGER: { status: 404, message: 'Only rules with existing triggers can be activated.' },
  WHIRL_FEED_INVALID: { status: 400, message: 'Feed parameters are not valid: {0}' },
  // --- web actions, webhooks, API routes (issue 5 part B) ---
  WHIRL_WEB_NOT_READY: { status: 202, message: 'Response not yet ready.' },
  WHIRL_WEB_INVALID_MEDIA: { status: 400, message: "Response is not valid '{0}'." },
  WHIRL_WEB_CONTENT_TYPE_MISMATCH: {
    status: 400,
    message: 'Response type in header did not match generated content type.',
  },
  WHIRL_WEB_UNKNOWN_CONTENT_TYPE: { status: 400, message: 'Response did not specify a known content-type.' },
  WHIRL_WEB_PROPERTY_NOT_FOUND: { status: 404, message: 'Response does not include requested property.' },
  WHIRL_WEB_PROCESSING_ERROR: { status: 400, message: 'There was an error processing your request.' },
  WHIRL_WEB_INVALID_HEADER: { status: 502, message: 'The action answered a header that is not valid HTTP: {0}' },
  WHIRL_WEBHOOK_SIGNATURE: { status: 401, message: 'The webhook signature is missing or does not match: {0}' },
  WHIRL_WEBHOOK_STALE: { status: 401, message: 'The webhook timestamp is outside the tolerance of {0} seconds.' },
  WHIRL_WEBHOOK_REPLAY: { status: 401, message: 'The webhook delivery was already received: {0}' },
  WHIRL_WEBHOOK_CONFIG: { status: 400, message: 'The trigger webhook annotation is not valid: {0}' },
  WHIRL_API_NOT_WEB_ACTION: {
    status: 400,
    message: "Action '{0}' is not a web action. Issue 'wsk action update \"{0}\" --web true' to convert the action to a web action.",
  },
  // --- compositions ---
  WHIRL_COMPOSITION_INVALID: { status: 400, message: 'The composition is not valid: {0}' },
  WHIRL_EXECUTION_NOT_RUNNING: { status: 409, message: 'The execution is not running (status: {0}).' },
  WHIRL_ASL_UNSUPPORTED: { status: 400, message: 'The state machine cannot be imported: state "{0}": {1}' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCodes;
