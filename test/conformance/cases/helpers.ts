/** Shorthands for the expectation tables. */
import type { Cond, ListenerExpectation, RequestCase, ResponseExpectation, StatusAssertion } from "./types";

export const INFRA = "gateway-conformance-infra";
export const WEB = "gateway-conformance-web-backend";
export const APP = "gateway-conformance-app-backend";
export const SAME = `${INFRA}/same-namespace`;
export const HTTPS_GW = `${INFRA}/same-namespace-with-https-listener`;

export const ns = (name: string) => `${INFRA}/${name}`;

/** GatewayAndHTTPRoutesMustBeAccepted. */
export function accepted(gateway: string, routes: string[], listeners?: string[]): StatusAssertion {
  return { type: "routesAccepted", gateway, routes, listeners };
}

/** HTTPRouteMustHaveResolvedRefsConditionsTrue. */
export function resolved(route: string, gateway: string): StatusAssertion {
  return { type: "routeCondition", route, gateway, condition: { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs" } };
}

/** The usual pair: Gateway and routes accepted, every route's references resolved. */
export function ready(gateway: string, ...routes: string[]): StatusAssertion[] {
  return [accepted(gateway, routes), ...routes.map(r => resolved(r, gateway))];
}

export function routeCond(route: string, gateway: string, type: string, status: Cond["status"], reason?: string): StatusAssertion {
  return { type: "routeCondition", route, gateway, condition: { type, status, reason } };
}

export function gwCond(gateway: string, type: string, status: Cond["status"], reason?: string): StatusAssertion {
  return { type: "gatewayCondition", gateway, condition: { type, status, reason } };
}

export function policyCond(policy: string, gateway: string, type: string, status: Cond["status"], reason?: string): StatusAssertion {
  return { type: "policyCondition", policy, gateway, condition: { type, status, reason } };
}

/** A listener status expectation with the HTTPRoute kind and Accepted/ResolvedRefs True. */
export function httpListener(name: string, attachedRoutes: number, conditions?: Cond[]): ListenerExpectation {
  return {
    name,
    supportedKinds: ["HTTPRoute"],
    attachedRoutes,
    conditions: conditions ?? [
      { type: "Accepted", status: "True" },
      { type: "ResolvedRefs", status: "True" },
    ],
  };
}

/** A request to the Gateway expected at a backend of the infra namespace. */
export function to(gateway: string, path: string, backend: string, more: Partial<RequestCase> = {}, expect: Partial<ResponseExpectation> = {}): RequestCase {
  return { gateway, path, ...more, expect: { backend, namespace: INFRA, ...expect } };
}

/** A request expected to get a given status (only the status is compared, as upstream). */
export function status(gateway: string, path: string, code: number, more: Partial<RequestCase> = {}, expect: Partial<ResponseExpectation> = {}): RequestCase {
  return { gateway, path, ...more, expect: { status: [code], ...expect } };
}
