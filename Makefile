# The two entry points of the book (see README.md):
#   make book   build the website into _build/html (full profile; PROFILE=quick for a fast build)
#   make test   run every test: lint, unit tests, chapters, the site build and a browser test
# Both check the system packages first (installing them with apt where allowed), create
# .venv and install the pinned requirements into it on first use.
#   make data   fetch and verify every dataset the book uses, then print where each came
#               from (make book does it too); DATASETS="mnist cifar10" for only some

PROFILE ?= full

DATASETS ?=

.PHONY: book test data env clean benchmark

book:
	@scripts/build_book.sh $(PROFILE)

test:
	@scripts/run_tests.sh

data: env
	@.venv/bin/python scripts/fetch_data.py $(DATASETS)

env:
	@scripts/bootstrap.sh

benchmark: env
	@.venv/bin/python scripts/benchmark.py --chapters --output _build/benchmark.md

clean:
	rm -rf _build
