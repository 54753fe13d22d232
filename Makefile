# Build and test the book. Everything runs inside a virtual environment in .venv,
# created on first use from pyproject.toml (the package and its "book" and "test" extras).

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
BUILDDIR ?= _build
# Warnings are errors, references are checked (nitpicky), and the build goes on
# after the first warning so that one run reports all of them.
SPHINXOPTS ?= -W --keep-going -n
# sphinx-proof cannot merge parallel reads (no merge_domaindata), so the build is serial.
JOBS     ?= 1
STAMP    := $(VENV)/.optbook-installed
HTML_INDEX := $(BUILDDIR)/html/index.html
LATEX_PACKAGES := latexmk texlive-xetex texlive-latex-recommended texlive-latex-extra \
                  texlive-fonts-recommended fonts-freefont-otf tex-gyre poppler-utils

.DEFAULT_GOAL := help
.PHONY: help install html pdf test test-fast serve clean benchmark

help:
	@echo "make html       build the HTML book (executes chapters and gallery) and open it"
	@echo "make pdf        build the PDF book in $(BUILDDIR)/latex/optbook.pdf"
	@echo "make test       build HTML and PDF, then run the whole test suite"
	@echo "make test-fast  run the package tests only (no book build)"
	@echo "make serve      serve the built HTML on http://localhost:8000"
	@echo "make benchmark  run the performance benchmarks"
	@echo "make clean      remove builds, caches and generated gallery pages"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[book,test]"
	touch $(STAMP)

install: $(STAMP)

html: $(STAMP)
	$(BIN)/sphinx-build -M html . $(BUILDDIR) $(SPHINXOPTS) -j $(JOBS)
	@echo "The book is in $(HTML_INDEX)"
	@if [ -z "$$CI" ] && { [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = Darwin ]; }; then \
		$(BIN)/python -m webbrowser -t "file://$(CURDIR)/$(HTML_INDEX)" >/dev/null 2>&1 || true; \
	fi

pdf: $(STAMP)
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null || { \
		echo "LaTeX is missing. On Debian or Ubuntu install it with:"; \
		echo "  sudo apt-get install $(LATEX_PACKAGES)"; \
		exit 1; }
	# The LaTeX build keeps its own doctrees, so that it never makes the HTML
	# build out of date (and the other way round).
	$(BIN)/sphinx-build -b latex . $(BUILDDIR)/latex -d $(BUILDDIR)/doctrees-latex $(SPHINXOPTS)
	$(MAKE) -C $(BUILDDIR)/latex all-pdf LATEXMKOPTS="-interaction=nonstopmode -halt-on-error"
	@echo "The PDF is $(BUILDDIR)/latex/optbook.pdf"

test: html pdf
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not book"

serve: $(HTML_INDEX)
	$(BIN)/python -m http.server --directory $(BUILDDIR)/html 8000

$(HTML_INDEX):
	$(MAKE) html

benchmark: $(STAMP)
	$(BIN)/python benchmarks/solvers.py
	$(BIN)/python benchmarks/autodiff.py
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf $(BUILDDIR) gallery_build api/generated api/index.rst jupyter_execute
