// Pepr's build runs eslint over the module; keep the rule set small and TypeScript-aware.
import tsParser from "@typescript-eslint/parser";
import typescriptEslint from "@typescript-eslint/eslint-plugin";

export default [
  { ignores: ["**/node_modules", "**/dist", "src/apis/generated/**"] },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tsParser, sourceType: "module" },
    plugins: { "@typescript-eslint": typescriptEslint },
    rules: {},
  },
];
