// axe-core (from npm) run inside the page: accessibility rules over what is on screen.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Injects axe (the page's CSP forbids inline scripts, so the context needs `bypassCSP`) and
 * returns its violations, each as "rule: what (selectors)" for a readable assertion message.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: source });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1, 2).join("")}`) }));
  });
  return result.map((v) => `${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).join("\n    ")}`);
}
