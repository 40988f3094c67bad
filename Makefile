# The two entry points of the book (see README.md):
#   make book   build the website into _build/html (full profile; PROFILE=quick for a fast build)
#   make test   run every test: lint, unit tests, chapters, the site build and a browser test
# Both create .venv and install the pinned requirements into it on first use.

PROFILE ?= full

.PHONY: book test env clean benchmark

book:
	@scripts/build_book.sh $(PROFILE)

test:
	@scripts/run_tests.sh

env:
	@scripts/bootstrap.sh

benchmark: env
	@.venv/bin/python scripts/benchmark.py --chapters --output _build/benchmark.md

clean:
	rm -rf _build
