/**
 * Kubernetes `Status` failures, shaped as kube-apiserver returns them (kind: Status, reason, code,
 * details with the resource's plural as `kind`), so clients print the same messages.
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A failure answered as a `Status` object with an HTTP status code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** What errors name: the resource's group and plural, as `details` carries them. */
export interface ResourceRef {
  group: string;
  plural: string;
}

/** `services "x"` or `httproutes.gateway.networking.k8s.io "x"`, as kube-apiserver qualifies names. */
export function qualified(r: ResourceRef, name: string): string {
  return `${r.group ? `${r.plural}.${r.group}` : r.plural} "${name}"`;
}

function details(r: ResourceRef, name: string): StatusDetails {
  return { name, ...(r.group ? { group: r.group } : {}), kind: r.plural };
}

export function notFound(r: ResourceRef, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualified(r, name)} not found`, details(r, name));
}

export function alreadyExists(r: ResourceRef, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualified(r, name)} already exists`, details(r, name));
}

export function conflict(r: ResourceRef, name: string, why: string): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r, name)}: ${why}`, details(r, name));
}

export const STALE = "the object has been modified; please apply your changes to the latest version and try again";

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** 422 Invalid: `Kind "name" is invalid: field: message`. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : `${c.message}`)).join(", ");
  const msg = `${kind} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`;
  return new ApiError(422, "Invalid", msg, { name, ...(group ? { group } : {}), kind, causes });
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`);
}

export function internal(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}
