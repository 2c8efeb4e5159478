# Wirestream: `make run` brings everything up and feeds seeds/; `make test` tests it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install up down stop status lint schemas unit integration clean reliability kibana bench-indexer

run: install up  ## start the stack and all stages, feed seeds/, wait until searchable
	$(BIN)/wirestream topics
	$(BIN)/wirestream indices
	bash deploy/stages.sh start
	$(BIN)/wirestream feed seeds
	$(BIN)/wirestream wait --articles $$(ls seeds/*.txt | wc -l) --timeout 300
	@echo
	@echo "Search the seed stories:"
	@echo "  $(BIN)/wirestream search 'Islamic State'"
	@echo "  curl -s 'http://127.0.0.1:9200/articles/_search?q=Mayadeen&pretty'"
	@echo "  curl -s 'http://127.0.0.1:9200/events/_search?pretty'"
	@echo "Stage logs: .stack/logs/   Stop everything: make down"

test: install up  ## unit, integration and end-to-end tests against the real servers
	$(BIN)/pytest

.PHONY: test-loaded
test-loaded: install up  ## make test while two busy loops of the suite's own take both cores (tests/load.py)
	WIRESTREAM_TEST_LOAD=2 $(BIN)/pytest

reliability: install up  ## every fault scenario, 3 runs in a row (make test runs a fast subset)
	for run in 1 2 3; do WIRESTREAM_RELIABILITY=full $(BIN)/pytest tests/reliability || exit 1; done
	cat .stack/reliability/outcomes.tsv

unit: install  ## tests that need no server
	$(BIN)/pytest -m "not integration"

install: $(STAMP)
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

up:  ## start Kafka and Elasticsearch (downloads them the first time)
	bash deploy/stack.sh up

down: stop  ## stop the stages, Kafka and Elasticsearch (data is kept)
	bash deploy/stack.sh down

stop:  ## stop the stages only
	bash deploy/stages.sh stop

status:
	bash deploy/stack.sh status
	bash deploy/stages.sh status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy services schemas tests

schemas: install  ## re-export schemas/json after a model change
	$(BIN)/python -m schemas.export

clean: down
	bash deploy/stack.sh reset

kibana:  ## load data views, map, charts, saved search and dashboard into Kibana (KIBANA_URL)
	bash deploy/kibana/import.sh

bench-indexer: install up  ## bulk indexing rate into the local Elasticsearch
	$(BIN)/python -m bench.indexer

.PHONY: bench-feeder
bench-feeder: install up  ## one-shot backlog rate (10,000 generated articles) into the local Kafka
	$(BIN)/python -m bench.feeder_backlog --articles 10000

.PHONY: bench
bench: install up bench-feeder  ## pipeline vs the nlp.pipe ceiling, a plain script, 1 and 2 entities replicas -> bench/results.md
	$(BIN)/python -m bench.pipeline --articles $(or $(ARTICLES),5000)

.PHONY: eval-events
eval-events: install  ## incident precision/recall and field accuracy on eval/events (real spaCy entities)
	$(BIN)/python eval/events/score.py --verbose

.PHONY: eval-events-heldout
eval-events-heldout: install  ## the same scores on eval/events/heldout (never used to tune rules)
	$(BIN)/python eval/events/score.py --verbose --articles eval/events/heldout

.PHONY: eval-dedup bench-dedup
eval-dedup: install  ## dedup precision/recall on the labelled benchmark (syndicated variants, hard negatives)
	$(BIN)/python -m eval.dedup

bench-dedup: install up  ## dedup rate and memory per 100,000 remembered stories (pure logic), then one worker on Kafka
	$(BIN)/python -m bench.dedup
	$(BIN)/python -m bench.dedup_stream

.PHONY: eval-entities bench-entities
eval-entities: install  ## entity P/R/F1 by type, canonical names, places within 25 km on eval/entities
	$(BIN)/python -m eval.entities.score

bench-entities: install  ## words/s and articles/s of enrich() next to nlp.pipe alone, same texts and batch size
	$(BIN)/python -m bench.entities --articles $(or $(ARTICLES),500)

.PHONY: profile-entities
profile-entities: install up  ## py-spy samples of a live entities replica: share of time per part of the work
	$(BIN)/python -m bench.profile_entities

.PHONY: eval-dev
# A variable, not $(or ...): make splits a function's arguments at commas, so the list would read as 'gva'.
SETS ?= gva,fakes,conll,ecb
eval-dev: install  ## offline mode over the third-party dev split (SETS=gva,conll; WIRESTREAM_EVAL_DIR), scored by its score.py
	$(BIN)/python -m eval.dev --sets $(SETS)
