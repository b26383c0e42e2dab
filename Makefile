# Sagar grievance desk: mp15_grievance, an Odoo 18.0 addon. `make help` lists the targets.
# The work is done by scripts/*.sh; scripts/lib.sh documents every setting. Settings given
# on the command line (make run DB=demo PORT=8070) reach the scripts as environment variables.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run setup test test-pure test-install test-odoo test-cluster lint format reset-db clean bench bench-sla bench-whatsapp cluster faults bench-broadcast bench-performance

help:
	@echo "make run           set everything up, create or upgrade database mp15 (the addon and its"
	@echo "                   WhatsApp simulator), serve http://localhost:8069"
	@echo "make test          set everything up, run every test, end with 'N passed, N failed'"
	@echo "make lint          ruff, pylint-odoo (OCA mandatory checks), OCA module checks"
	@echo
	@echo "make setup         what make run does before serving: Odoo source, .venv, PostgreSQL, var/odoo.conf"
	@echo "make test-pure     only the pure tests (tests/, no Odoo needed)"
	@echo "make test-install  only the install checks: both addons with demo data, and mp15_grievance alone"
	@echo "                   (production: no simulator, no demo), each without warnings"
	@echo "make test-odoo     only the Odoo tests of both addons; narrow with TAGS=/mp15_grievance:TestClass"
	@echo "make test-cluster  only the two-server smoke: webhooks on one Odoo server, processing on the other"
	@echo "make cluster       like make run, served by two Odoo servers on one database behind nginx (port 8070)"
	@echo "make faults        break that cluster on purpose (kill -9, PostgreSQL restart, Graph API outage,"
	@echo "                   redelivery storm) and print what was lost or doubled"
	@echo "make format        ruff format, then ruff check --fix"
	@echo "make bench         every benchmark in bench/ (each prints ratios measured side by side in one run)"
	@echo "make reset-db      drop database mp15 (or DB=...) so that make run starts afresh"
	@echo "make clean         remove var/ (logs, generated configuration, filestore); databases stay"
	@echo
	@echo "Settings: ODOO_SRC=/path/to/odoo-18.0 (default ~/.cache/mp15/odoo-18.0, downloaded when missing),"
	@echo "          DB=mp15 PORT=8069 HTTP_INTERFACE=127.0.0.1 TEST_PORT=8169 ADDON_DIR=./mp15_grievance,"
	@echo "          PGHOST PGPORT PGUSER PGPASSWORD (as root: mp15/mp15 on localhost, created if missing)."

run:
	@scripts/run.sh

setup:
	@scripts/run.sh --setup

test:
	@scripts/test.sh pure,install,odoo,cluster

test-pure:
	@scripts/test.sh pure

test-install:
	@scripts/test.sh install

test-odoo:
	@scripts/test.sh odoo

test-cluster:
	@scripts/test.sh cluster

cluster:
	@scripts/cluster.sh

faults: setup
	@.venv/bin/python bench/faults.py

lint:
	@scripts/lint.sh

format:
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench: bench-sla bench-whatsapp bench-broadcast bench-performance

bench-sla: setup
	@.venv/bin/python bench/sla_bench.py

bench-whatsapp: setup
	@.venv/bin/python bench/whatsapp_bench.py

bench-broadcast: setup
	@.venv/bin/python bench/broadcast_bench.py

bench-performance: setup
	@.venv/bin/python bench/performance_page_bench.py

reset-db:
	@scripts/run.sh --reset-db

clean:
	rm -rf var
