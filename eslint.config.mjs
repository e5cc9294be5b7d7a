// JS lint for the pages' scripts (api/web/static, api/console/static): ES modules in the browser.
// The same package.json pins openapi-typescript, which makes clients/miniprogram/api-types.d.ts.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
  },
];
