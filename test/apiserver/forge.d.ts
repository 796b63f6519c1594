// node-forge ships no type declarations; the certificate helpers use it untyped.
declare module "node-forge";
