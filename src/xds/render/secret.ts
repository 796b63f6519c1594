/**
 * SecretIR → envoy.extensions.transport_sockets.tls.v3.Secret, served over SDS on the ADS stream:
 * listener certificates (certificate chain and private key) and upstream CA bundles (a
 * validation context with trusted_ca). PEM text is sent inline.
 */
import type { SecretIR } from "../../ir/types";
import type { EnvoyMessage } from "../types";

export function renderSecret(secret: SecretIR): EnvoyMessage {
  if (secret.kind === "certificate") {
    return {
      name: secret.name,
      tlsCertificate: {
        certificateChain: { inlineString: secret.certificateChain },
        privateKey: { inlineString: secret.privateKey },
      },
    };
  }
  return { name: secret.name, validationContext: { trustedCa: { inlineString: secret.trustedCA } } };
}
