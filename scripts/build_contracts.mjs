// Compiles contracts/*.sol with the pinned npm `solc` and writes one artifact per contract
// (abi + creation bytecode) to src/hotpursuit/drill/devnet/artifacts/, and copies the real protocol
// contracts' compiled artifacts (abi + bytecode as the npm packages ship them, byte for byte the
// mainnet builds) next to them. Run: node scripts/build_contracts.mjs
// With --check it compiles and exits 1 if any checked-in artifact differs (the test uses this).
//
// Init-code hashes: Router02 (UniswapV2Library.pairFor) and SwapRouter (PoolAddress.computeAddress)
// hard-code the mainnet pair/pool init-code hashes. The script checks that keccak256 of the shipped
// UniswapV2Pair and UniswapV3Pool creation bytecode equals the hash each router embeds, and fails if
// not (with the pinned packages they match, so the npm Router02 and SwapRouter builds are used as
// shipped; were they to differ, Router02 would have to be compiled from the package's sources with
// the hash replaced).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "tools/node/package.json"));
const solc = require("solc");
const srcDir = join(root, "contracts");
const outDir = join(root, "src/hotpursuit/drill/devnet/artifacts");
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
const written = [];
function emit(name, artifact) {
  const text = JSON.stringify(artifact, null, 2) + "\n";
  const path = join(outDir, `${name}.json`);
  written.push(`${name}.json`);
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

// The real protocol contracts, as shipped in the pinned npm packages.
const NPM = [
  ["WETH9", "@uniswap/v2-periphery", "build/WETH9.json"],
  ["UniswapV2Factory", "@uniswap/v2-core", "build/UniswapV2Factory.json"],
  ["UniswapV2Pair", "@uniswap/v2-core", "build/UniswapV2Pair.json"],
  ["UniswapV2Router02", "@uniswap/v2-periphery", "build/UniswapV2Router02.json"],
  ["UniswapV3Factory", "@uniswap/v3-core", "artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json"],
  ["UniswapV3Pool", "@uniswap/v3-core", "artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json"],
  ["SwapRouter", "@uniswap/v3-periphery", "artifacts/contracts/SwapRouter.sol/SwapRouter.json"],
  ["Safe", "@safe-global/safe-contracts", "build/artifacts/contracts/Safe.sol/Safe.json"],
  ["SafeProxyFactory", "@safe-global/safe-contracts",
   "build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json"],
  ["SafeProxy", "@safe-global/safe-contracts", "build/artifacts/contracts/proxies/SafeProxy.sol/SafeProxy.json"],
];
const keccak = (hex) => {
  // Ethereum keccak-256 from js-sha3, resolved from solc's own folder: npm hoists whichever js-sha3
  // another package pulls in (ethers 5 brings 0.5.7), and only `keccak_256` is in every version.
  const { keccak_256 } = createRequire(require.resolve("solc/package.json"))("js-sha3");
  return keccak_256(Buffer.from(hex.replace(/^0x/, ""), "hex"));
};
const shipped = {};
for (const [name, pkg, file] of NPM) {
  const pkgJson = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8"));
  const data = JSON.parse(readFileSync(require.resolve(`${pkg}/${file}`), "utf8"));
  let bytecode = data.bytecode || (data.evm && data.evm.bytecode && data.evm.bytecode.object);
  if (!bytecode) {
    console.error(`${pkg}/${file} has no bytecode`);
    process.exit(2);
  }
  bytecode = bytecode.startsWith("0x") ? bytecode : "0x" + bytecode;
  shipped[name] = bytecode;
  emit(name, { contractName: name, sourceName: `${pkg}@${pkgJson.version}/${file}`,
               compiler: "as shipped in the npm package", abi: data.abi, bytecode });
}
for (const [pair, router] of [["UniswapV2Pair", "UniswapV2Router02"], ["UniswapV3Pool", "SwapRouter"]]) {
  const hash = keccak(shipped[pair]);
  if (!shipped[router].includes(hash)) {
    console.error(`${router} does not embed the init-code hash of the shipped ${pair} (${hash})`);
    process.exit(3);
  }
}
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    if (name.startsWith("I") && name[1] === name[1].toUpperCase() && !c.evm.bytecode.object) continue;
    emit(name, { contractName: name, sourceName: file, compiler: `solc ${solc.version()}`, abi: c.abi,
                 bytecode: "0x" + c.evm.bytecode.object });
  }
}
for (const f of readdirSync(outDir).filter((f) => f.endsWith(".json"))) {
  if (!written.includes(f)) {
    console.error(`artifact without a source: ${join(outDir, f)}`);
    stale += 1;
  }
}
process.exit(stale ? 1 : 0);
