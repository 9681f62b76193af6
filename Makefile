# PMO Learning Assistant. The two commands a new machine needs:
#   make run    install, train when needed, and chat in rasa shell (the actions run inside Rasa)
#   make test   the whole test suite (what CI runs)
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV      := .venv
BIN       := $(VENV)/bin
PYTHON    := $(BIN)/python
RASA      := $(BIN)/rasa
MODEL     := models/pmo.tar.gz
STAMP     := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL   := 2
export PYTHONHASHSEED         := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# No training cache: Rasa keys it on component config, not on code or on the spaCy
# pipeline's contents (built from the knowledge base, which is no input), so a changed pattern or
# component could train on stale cached features. A cold training takes under a minute.
export RASA_MAX_CACHE_SIZE := 0

# What the trained model is made of (tests/test_makefile_inputs.py checks the list): the knowledge base's
# patterns and typo vocabulary are built into the model when training, nothing is read at start.
KNOWLEDGE := $(wildcard bot/knowledge/*.yml) bot/knowledge_base.py bot/words.py bot/nlu/patterns.py bot/nlu/spacy_pipeline.py
TRAINING  := $(wildcard data/*.yml data/*/*.yml) domain.yml config.yml bot/nlu/components.py bot/nlu/extract.py \
             bot/nlu/classifier.py bot/nlu/placeholders.py bot/nlu/featurizers.py bot/nlu/sanity.py bot/text.py \
             bot/nlu/reading.py

.PHONY: install train run actions shell test lint test-fast validate nlu-eval clean web web-build browser services

install: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	@test -x $(PYTHON) || "$$(scripts/find-python.sh)" -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c requirements.lock
	@touch $@

# `make run` trains quietly, like the shell it opens: Rasa's output to models/train.log and one progress
# line (scripts/train-quietly.sh). `make train` and `make test` train as before, with the whole output.
TRAIN_LOG := models/train.log
train: $(MODEL)
$(MODEL): $(STAMP) $(KNOWLEDGE) $(TRAINING)
	$(if $(QUIET_TRAINING),scripts/train-quietly.sh $(TRAIN_LOG) )$(RASA) train --fixed-model-name pmo --out models

actions: install
	$(RASA) run actions --actions actions

# One process: the actions run inside Rasa (endpoints.yml names actions_module; bot/serving/inprocess.py).
# With a separate action server instead (`make actions`), point endpoints.yml's action_endpoint at its url.
run: QUIET_TRAINING := yes
run: train
	$(PYTHON) -m bot.serving shell --model $(MODEL) --endpoints endpoints.yml

# Two pytest-xdist workers: the tests that share a server run in one worker (tests/conftest.py groups
# them), the longest groups first. PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder)
test: lint train browser balancer web-build services
	$(BIN)/pytest $(PYTEST_PARALLEL)

# Static checks (settings in pyproject.toml): ruff's formatter and linter on every Python
# file, mypy on bot/ (strict) and actions/. Part of `make test`, so CI runs them.
lint: install
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy bot actions

# The fast loop: every test not marked slow (pytest.ini says what slow means: a server, a browser,
# a process, PostgreSQL or the trained model), wherever it lives, in about 30 s: two workers, each collects
# the suite (about 10 s) and runs whole modules, the biggest first (30-35 s measured; 43 s in one process).
test-fast: install
	$(BIN)/pytest -q -m "not slow" -n 2 --dist loadgroup

# Website widget: rasa-webchat and the Inter font from npm (package-lock.json),
# assembled into web/dist with nothing loaded from a CDN or Google Fonts.
NODE_STAMP := node_modules/.package-lock.json
WEB_DIST   := web/dist/index.html
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@
web-build: $(WEB_DIST)
$(WEB_DIST): $(NODE_STAMP) $(STAMP) web/build.py $(wildcard web/src/*)
	$(PYTHON) -m web.build

# Rasa server with the actions inside it (REST, socket.io, and Slack/Teams when their
# environment variables are set) and the demo page at http://localhost:8000.
web: train web-build
	@mkdir -p web/logs; \
	$(PYTHON) -m bot.serving run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml --port 5005 --interface 127.0.0.1 \
	  > web/logs/rasa.log 2>&1 & rasa=$$!; \
	trap "kill $$rasa 2>/dev/null" EXIT INT TERM; \
	echo "Rasa is loading (logs in web/logs/). Open http://localhost:8000 and press Ctrl-C to stop."; \
	$(PYTHON) -m web.serve --port 8000 --socket-url http://localhost:5005

# Debian's Chromium for the widget's browser test (apt-get, never a browser download).
browser:
	@scripts/install-chromium.sh

# Debian's PostgreSQL and Redis when the tests will need throwaway servers and they are missing:
# nothing on 127.0.0.1:5432 / :6379, or PMO_TEST_SERVICES=throwaway (harness/throwaway.py).
services:
	@scripts/test-services.sh

validate: train
	$(RASA) data validate --fail-on-warnings

nlu-eval: train
	$(PYTHON) -m benchmarks.understanding $(MODEL)

# Benchmark, not part of `make test` (about half an hour on 2 cores): understanding,
# conversation tests, training and serving, side by side with a stock `rasa init`
# assistant. Writes bench/out/results.json and latency.png, copies them to docs/.
# `make bench-smoke` runs every code path in about a minute (tests/benchmarks/test_run.py).
# Options: make bench BENCH_ARGS="--no-cv --stock-cv --levels 1,20 --seconds 20 ..."
.PHONY: bench bench-smoke
bench: install
	$(PYTHON) -m benchmarks.run $(BENCH_ARGS)
	$(MAKE) bench-fuzz
	$(MAKE) bench-soak
bench-smoke: train
	$(PYTHON) -m benchmarks.run --smoke

# The fuzz tests against running servers at full volume (harness/fuzzing.py; about 5 minutes): REST on two
# replicas (245 + 100 batches, at least 2,700 requests) and the widget, Slack and Teams (40 batches each).
# `make test` runs every strategy of the same tests with fewer batches.
.PHONY: bench-fuzz
bench-fuzz: train web-build services
	PMO_FUZZ=full $(BIN)/pytest -q -p no:cacheprovider tests/deploy/test_fuzz.py tests/channels/test_fuzz_channels.py

# What real visitors write (issue 19, docs/bench.md): the corpus in benchmarks/corpus/ and the
# distractors, over REST against real servers, in about a minute; also a step of `make bench`.
.PHONY: bench-corpus
bench-corpus: train
	$(PYTHON) -m benchmarks.corpus --json bench/out/corpus.json $(BENCH_ARGS)

# The soak (benchmarks/soak.py; about 40 minutes, needs PostgreSQL and Redis): the production set-up
# for 30 minutes at half its open-loop capacity, sampled every 5 minutes; writes bench/out/soak.json
# and soak.png and copies them to docs/. `python -m benchmarks.soak --smoke` is the minute-long
# version tests/benchmarks/test_soak.py runs. Options: make bench-soak SOAK_ARGS="--rate 5 --minutes 60"
.PHONY: bench-soak
bench-soak: train
	$(PYTHON) -m benchmarks.soak --docs $(SOAK_ARGS)

# One Rasa replica the production way (README, "Production"): HTTP API only with
# RASA_AUTH_TOKEN or RASA_JWT_SECRET; stores from PMO_DATABASE_URL / PMO_REDIS_URL.
# bench-workers: throughput with SANIC_WORKERS=1 and 2 (needs PostgreSQL and Redis).
.PHONY: serve bench-workers
serve: train
	scripts/rasa-server.sh
bench-workers: train
	$(PYTHON) -m benchmarks.workers

# The front door (README, "Scale-out"): HAProxy (deploy/haproxy/haproxy.cfg) with TLS in front of
# two replicas, the action server and the demo page, at https://localhost:8443 (self-signed).
# Needs PMO_DATABASE_URL and PMO_REDIS_URL. bench-frontdoor: open-loop msg/s with 1 and 2 replicas.
.PHONY: frontdoor balancer bench-frontdoor
frontdoor: train web-build balancer
	scripts/frontdoor.sh up
balancer:
	@scripts/install-balancer.sh
bench-frontdoor: train web-build balancer
	$(PYTHON) -m benchmarks.frontdoor $(BENCH_ARGS)

# Staff insights at http://localhost:8300 (README, "Insights for the team"): what visitors ask, the
# unanswered messages, recommendations, enquiries. Refuses to start without PMO_INSIGHTS_PASSWORD.
.PHONY: insights
insights: install
	$(PYTHON) -m bot.insights --port 8300

clean:
	rm -rf build models results .pytest_cache
