# hotpursuit: two commands on a fresh machine.
#   make demo  - venv, install, anvil, heist drill, ingest, summary table, a scam ring, then the live race
#   make test  - install what the tests need, lint, type-check, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_TOOLS := tools/node
ANVIL_STAMP := $(NODE_TOOLS)/node_modules/.installed

.PHONY: demo test lint tools venv bench contracts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# package.json pins anvil and solc exactly; no lockfile, because npm records only this machine's
# platform binary of anvil in it and `npm ci` then refuses on every other platform.
$(ANVIL_STAMP): $(NODE_TOOLS)/package.json
	cd $(NODE_TOOLS) && npm install --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

# graphsense's tagpack-tool, the reference the TagPack importer is tested against (its own venv:
# its pins clash with ours)
TAGPACK_TOOL := tools/tagpack-tool-venv/bin/tagpack-tool
$(TAGPACK_TOOL):
	$(PYTHON) -m venv tools/tagpack-tool-venv
	tools/tagpack-tool-venv/bin/pip install --quiet tagpack-tool==25.8.1

# Debian's chromium for the browser test of the HTML report (Playwright drives it; no browser download)
/usr/bin/chromium:
	apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)

# Case reports: Hangul fonts for the PDF, poppler's pdftotext/pdftoppm for the tests that read it back
/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/bin/pdftoppm:
	apt-get install -y -q fonts-noto-cjk poppler-utils || (apt-get update -q && apt-get install -y -q fonts-noto-cjk poppler-utils)

# The web UI's browser assets, vendored from the pinned npm packages into the package (never a CDN)
WEB_VENDOR := src/hotpursuit/web/static/vendor
$(WEB_VENDOR)/.vendored: $(ANVIL_STAMP) scripts/vendor_web_assets.sh
	sh scripts/vendor_web_assets.sh $(NODE_TOOLS)/node_modules $(WEB_VENDOR)
	touch $@

tools: $(ANVIL_STAMP) $(TAGPACK_TOOL) /usr/bin/chromium /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/bin/pdftoppm $(WEB_VENDOR)/.vendored

demo: venv tools
	$(BIN)/hotpursuit demo

lint: venv
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/mypy

test: venv tools lint
	$(BIN)/pytest -q

contracts: tools
	node scripts/build_contracts.mjs

bench: venv tools
	$(BIN)/python benchmarks/bench_etl_csv_import.py
	$(BIN)/python benchmarks/bench_node_ingest.py
	$(BIN)/python benchmarks/bench_bitcoin_import.py
	$(BIN)/python benchmarks/bench_clustering.py
	$(BIN)/python benchmarks/bench_trace.py
	$(BIN)/python benchmarks/bench_trace_mainnet_rules.py
	$(BIN)/python benchmarks/bench_explorer_import.py
	$(BIN)/python benchmarks/bench_screening.py --concurrency 4
	$(BIN)/python benchmarks/bench_interdiction.py
	$(BIN)/python benchmarks/bench_workspace.py
	$(BIN)/python benchmarks/bench_scam_case.py

clean:
	rm -rf $(VENV) $(NODE_TOOLS)/node_modules $(WEB_VENDOR) .pytest_cache .mypy_cache .ruff_cache
