/**
 * Cloud platform endpoints that answer with instance credentials or host configuration: reaching
 * them from the proxy would hand the node's identity to whoever writes a route. One table for
 * names and one for addresses, each entry with where it comes from. Link-local addresses
 * (169.254.0.0/16, fe80::/10) are denied as a whole elsewhere; they are listed here too when a
 * provider documents them, so the message can say what the address is.
 */

export interface MetadataName {
  /** Lowercase DNS name without a trailing dot. */
  name: string;
  /** Who answers on it, for the message. */
  owner: string;
}

export const METADATA_NAMES: readonly MetadataName[] = [
  // GCE/GKE metadata server (169.254.169.254), the documented name.
  { name: "metadata.google.internal", owner: "Google Cloud" },
  // Short alias of the GCE metadata server, used by Google's client libraries and agents.
  { name: "metadata.goog", owner: "Google Cloud" },
  // Single-label name that the GCE resolver's search path turns into metadata.google.internal.
  { name: "metadata", owner: "Google Cloud" },
  // EC2 instance metadata name, resolved through the VPC search domain.
  { name: "instance-data", owner: "AWS" },
  // EC2 instance metadata name in us-east-1 (other regions: instance-data.<region>.compute.internal,
  // matched by METADATA_NAME_PATTERNS below).
  { name: "instance-data.ec2.internal", owner: "AWS" },
  // Tencent Cloud metadata service (169.254.0.23).
  { name: "metadata.tencentyun.com", owner: "Tencent Cloud" },
  // Equinix Metal metadata service: answers with the calling server's metadata.
  { name: "metadata.platformequinix.com", owner: "Equinix Metal" },
  // Former name of the Equinix Metal (Packet) metadata service.
  { name: "metadata.packet.net", owner: "Equinix Metal" },
];

/** Name shapes that are metadata endpoints in every region. */
export const METADATA_NAME_PATTERNS: readonly { test: (name: string) => boolean; owner: string }[] = [
  // EC2 instance metadata in every region: instance-data.<region>.compute.internal.
  { test: n => n.startsWith("instance-data.") && n.endsWith(".compute.internal"), owner: "AWS" },
];

export interface MetadataAddress {
  /** Plain address text as ipaddr.js prints it (IPv6 in RFC 5952 form). */
  address: string;
  /** Noun phrase for the message: "`address` is <what>". */
  what: string;
}

export const METADATA_ADDRESSES: readonly MetadataAddress[] = [
  // Instance metadata of AWS EC2, Google Cloud, Azure IMDS, Oracle Cloud, DigitalOcean,
  // OpenStack, Hetzner and most other clouds.
  { address: "169.254.169.254", what: "a link-local cloud-metadata address" },
  // AWS EC2 instance metadata over IPv6 (Nitro instances); inside fd00::/8, so not link-local.
  { address: "fd00:ec2::254", what: "the AWS EC2 IPv6 instance-metadata address" },
  // AWS ECS task metadata and credentials endpoint.
  { address: "169.254.170.2", what: "the link-local AWS ECS task-metadata address" },
  // AWS EKS Pod Identity agent, IPv4 and IPv6.
  { address: "169.254.170.23", what: "the link-local AWS EKS Pod Identity address" },
  { address: "fd00:ec2::23", what: "the AWS EKS Pod Identity IPv6 address" },
  // Alibaba Cloud ECS metadata; inside 100.64.0.0/10 (CGNAT), so not link-local.
  { address: "100.100.100.200", what: "the Alibaba Cloud instance-metadata address" },
  // Oracle Cloud legacy metadata address (192.0.0.0/24, IETF protocol assignments).
  { address: "192.0.0.192", what: "the Oracle Cloud legacy instance-metadata address" },
  // Azure WireServer: host agent, DNS and extension configuration of the VM. A public address.
  { address: "168.63.129.16", what: "the Azure WireServer (platform host) address" },
  // Tencent Cloud metadata service.
  { address: "169.254.0.23", what: "the link-local Tencent Cloud metadata address" },
];

export function metadataNameOwner(name: string): string | undefined {
  const hit = METADATA_NAMES.find(m => m.name === name);
  if (hit) return hit.owner;
  return METADATA_NAME_PATTERNS.find(p => p.test(name))?.owner;
}
