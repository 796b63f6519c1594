// node-forge ships no type declarations; the certificate code uses these parts of it untyped.
declare module "node-forge/lib/forge";
declare module "node-forge/lib/x509";
declare module "node-forge/lib/sha256";
