/**
 * BackendTLSPolicy: TLS from the gateway to Services (SNI from validation.hostname, the CA from a
 * ConfigMap, subjectAltNames), re-encryption behind an HTTPS listener, conflicts between policies
 * (the older, then alphabetically first, wins), invalid CA references and kinds, and
 * observedGeneration. The TLS backend is the suite's echo server with the harness's serving
 * certificate (see harness/backends.ts); "must fail" requests expect anything but a 200 from it.
 */
import type { ConformanceCase, RequestCase } from "./types";
import { HTTPS_GW, INFRA, SAME, ns, policyCond, ready, status } from "./helpers";

const ACCEPTED = (policy: string, gateway = SAME) => policyCond(ns(policy), gateway, "Accepted", "True", "Accepted");
const RESOLVED = (policy: string, gateway = SAME) => policyCond(ns(policy), gateway, "ResolvedRefs", "True", "ResolvedRefs");

/** Reaches the TLS backend, which must see the given server name. */
function reaches(path: string, backendSni: string, host = "abc.example.com"): RequestCase {
  return { gateway: SAME, portless: true, host, path, expect: { namespace: INFRA, request: { host, path, sni: backendSni } } };
}

function fails(path: string, host = "abc.example.com"): RequestCase {
  return { gateway: SAME, portless: true, host, path, expect: { namespace: INFRA, failure: true } };
}

export const backendTLSCases: ConformanceCase[] = [
  {
    name: "BackendTLSPolicy",
    features: ["Gateway", "HTTPRoute", "BackendTLSPolicy"],
    manifests: ["backendtlspolicy.yaml"],
    steps: [
      {
        title: "re-encrypted HTTPS request to a Service with a valid policy",
        status: [{ type: "namespacesReady", namespaces: [INFRA] }, ...ready(HTTPS_GW, ns("backendtlspolicy-reencrypt")), ACCEPTED("normative-test", HTTPS_GW), RESOLVED("normative-test", HTTPS_GW)],
        requests: [
          {
            gateway: HTTPS_GW,
            portless: true,
            scheme: "https",
            sni: "https-listener.org",
            host: "https-listener.org",
            path: "/backendtlspolicy",
            expect: { namespace: INFRA, request: { path: "/backendtlspolicy", sni: "abc.example.com" } },
          },
        ],
      },
      {
        title: "HTTP requests to Services with valid, host-mismatched and certificate-mismatched policies",
        status: [
          ...ready(SAME, ns("backendtlspolicy")),
          ...["normative-test", "host-mismatch", "cert-mismatch"].flatMap(p => [ACCEPTED(p), RESOLVED(p)]),
        ],
        requests: [reaches("/backendtlspolicy", "abc.example.com"), fails("/backendtlspolicy-host-mismatch", "abc.example.org"), fails("/backendtlspolicy-cert-mismatch")],
      },
    ],
    notReplayed: "the v1.6.1 manifest also has a reconcile-test policy whose assertions were not available to transcribe",
  },
  {
    name: "BackendTLSPolicySANValidation",
    features: ["Gateway", "HTTPRoute", "BackendTLSPolicy", "BackendTLSPolicySANValidation"],
    manifests: ["backendtlspolicy-san.yaml"],
    steps: [
      {
        status: [{ type: "namespacesReady", namespaces: [INFRA] }, ...ready(SAME, ns("backendtlspolicy-san-test")), ...["san-dns", "san-dns-mismatch", "san-uri", "san-uri-mismatch", "multiple-sans", "multiple-mismatch-sans"].map(p => ACCEPTED(p))],
        requests: [
          reaches("/backendtlspolicy-san-dns", "abc.example.com"),
          fails("/backendtlspolicy-san-dns-mismatch"),
          reaches("/backendtlspolicy-san-uri", "abc.example.com"),
          fails("/backendtlspolicy-san-uri-mismatch"),
          reaches("/backendtlspolicy-multiple-sans", "abc.example.com"),
          fails("/backendtlspolicy-multiple-mismatch-sans"),
        ],
      },
    ],
  },
  {
    name: "BackendTLSPolicyConflictResolution",
    features: ["Gateway", "HTTPRoute", "BackendTLSPolicy"],
    manifests: ["backendtlspolicy-conflict-resolution.yaml"],
    steps: [
      {
        status: [
          { type: "namespacesReady", namespaces: [INFRA] },
          ...ready(SAME, ns("backendtlspolicy-conflict-resolution")),
          ACCEPTED("conflicted-without-section-name-1"),
          policyCond(ns("conflicted-without-section-name-2"), SAME, "Accepted", "False", "Conflicted"),
          ACCEPTED("conflicted-with-section-name-1"),
          policyCond(ns("conflicted-with-section-name-2"), SAME, "Accepted", "False", "Conflicted"),
          ACCEPTED("not-conflicted-with-section-name"),
          ACCEPTED("not-conflicted-without-section-name"),
        ],
        requests: [
          reaches("/backendtlspolicy-conflicted-without-section-name", "other.example.com"),
          reaches("/backendtlspolicy-conflicted-with-section-name", "other.example.com"),
          reaches("/backendtlspolicy-not-conflicted-with-section-name", "other.example.com"),
          reaches("/backendtlspolicy-not-conflicted-without-section-name", "abc.example.com"),
        ],
      },
    ],
  },
  {
    name: "BackendTLSPolicyInvalidCACertificateRef",
    features: ["Gateway", "HTTPRoute", "BackendTLSPolicy"],
    manifests: ["backendtlspolicy-invalid-ca-certificate-ref.yaml"],
    steps: [
      {
        status: [
          { type: "namespacesReady", namespaces: [INFRA] },
          { type: "routesAccepted", gateway: SAME, routes: [ns("backendtlspolicy-invalid-ca-certificate-ref")] },
          ...["nonexistent-ca-certificate-ref", "malformed-ca-certificate-ref"].flatMap(p => [
            policyCond(ns(p), SAME, "Accepted", "False", "NoValidCACertificate"),
            policyCond(ns(p), SAME, "ResolvedRefs", "False", "InvalidCACertificateRef"),
          ]),
        ],
        requests: ["nonexistent-ca-certificate-ref", "malformed-ca-certificate-ref"].map(p => ({ ...status(SAME, `/backendtlspolicy-${p}`, 500, { host: "abc.example.com", portless: true }), expect: { status: [500, 502, 503] } })),
      },
    ],
  },
  {
    name: "BackendTLSPolicyInvalidKind",
    features: ["Gateway", "HTTPRoute", "BackendTLSPolicy"],
    manifests: ["backendtlspolicy-invalid-kind.yaml"],
    steps: [
      {
        status: [
          { type: "namespacesReady", namespaces: [INFRA] },
          { type: "routesAccepted", gateway: SAME, routes: [ns("backendtlspolicy-invalid-kind-test")] },
          policyCond(ns("invalid-kind"), SAME, "Accepted", "False", "NoValidCACertificate"),
          policyCond(ns("invalid-kind"), SAME, "ResolvedRefs", "False", "InvalidKind"),
        ],
        requests: [{ gateway: SAME, portless: true, host: "abc.example.com", path: "/backendtlspolicy-invalid-kind", expect: { status: [500, 502, 503] } }],
      },
    ],
  },
  {
    name: "BackendTLSPolicyObservedGenerationBump",
    features: ["Gateway", "HTTPRoute", "BackendTLSPolicy"],
    manifests: ["backendtlspolicy-observed-generation-bump.yaml"],
    steps: [
      { title: "before the change", status: [{ type: "namespacesReady", namespaces: [INFRA] }, { type: "policyLatest", policy: ns("observed-generation-bump") }] },
      {
        title: "after validation.hostname changes",
        mutate: [{ kind: "BackendTLSPolicy", name: ns("observed-generation-bump"), change: o => (o.spec.validation.hostname = "foo.example.com") }],
        status: [policyCond(ns("observed-generation-bump"), SAME, "Accepted", "True"), { type: "policyLatest", policy: ns("observed-generation-bump") }],
      },
    ],
  },
];
