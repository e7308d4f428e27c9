# mmrag: `make demo` and `make test` set everything up on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# chromium and CJK fonts: the web page's browser test (Playwright drives Debian's chromium);
# postgresql: the PostgreSQL state's tests start their own server from its programs
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim chromium fonts-noto-cjk \
	postgresql
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_SHOT := examples/error-screenshot-support/queries/shot01-pip-ssl.png

.PHONY: setup system-deps demo test test-eval lint clean

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

# constraints.txt: the versions the checked figures were measured with (a fresh venv would
# otherwise take whatever the registry has that day)
$(BIN)/mmrag: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

setup: system-deps $(BIN)/mmrag

demo: setup
	$(BIN)/mmrag ingest error-screenshot-support
	$(BIN)/mmrag query error-screenshot-support "How do I fix this?" --image $(DEMO_SHOT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m "not eval"

# the eval stage (.ci/run runs it after `make test`): every shipped eval set in full, checked
# against docs/evaluation.md's figures (tests/pipelines/test_eval_stage.py, test_eval_guard.py)
test-eval: setup
	$(BIN)/python -m pytest -q -m eval

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .mmrag
