// One linter and formatter for the whole tree: typescript-eslint for correctness, @stylistic for layout.
import stylistic from "@stylistic/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".demo/**", ".scratch/**", "**/*.d.ts"] },
  ...tseslint.configs.recommended,
  stylistic.configs.customize({ indent: 2, quotes: "double", semi: true, braceStyle: "1tbs", arrowParens: true }),
  {
    rules: {
      "@stylistic/max-len": ["error", { code: 130, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
      "@stylistic/operator-linebreak": "off",
      "@stylistic/multiline-ternary": "off",
      "@stylistic/quote-props": ["error", "as-needed"],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Plain CommonJS programs, written as a JavaScript user would.
  { files: ["**/*.js"], rules: { "@typescript-eslint/no-require-imports": "off" } },
);
