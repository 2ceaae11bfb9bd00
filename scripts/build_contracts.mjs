// Compiles contracts/*.sol with the pinned npm `solc` and writes one artifact per contract
// (abi + creation bytecode) to src/hotpursuit/devnet/artifacts/. Run: node scripts/build_contracts.mjs
// With --check it compiles and exits 1 if any checked-in artifact differs (the test uses this).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "tools/node/package.json"));
const solc = require("solc");
const srcDir = join(root, "contracts");
const outDir = join(root, "src/hotpursuit/devnet/artifacts");
const check = process.argv.includes("--check");

const sources = {};
for (const f of readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[f] = { content: readFileSync(join(srcDir, f), "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
let stale = 0;
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    if (name.startsWith("I") && name[1] === name[1].toUpperCase() && !c.evm.bytecode.object) continue;
    const artifact = {
      contractName: name,
      sourceName: file,
      compiler: `solc ${solc.version()}`,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
    };
    const text = JSON.stringify(artifact, null, 2) + "\n";
    const path = join(outDir, `${name}.json`);
    if (check) {
      if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
        console.error(`stale artifact: ${path}`);
        stale += 1;
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
}
process.exit(stale ? 1 : 0);
