"""The book's build machinery, as small Sphinx extensions (one module per job).

``conf.py`` holds the settings a maintainer edits; each module here does one
job and registers the configuration values it reads:

- :mod:`.cache`: execution-cache keys (chapters and gallery examples re-run
  when the package modules they import, directly or through other modules,
  change; nothing else does);
- :mod:`.preexecute`: the chapters that miss the cache execute in parallel
  (one process per core) before the serial Sphinx read (set up by ``cache``);
- :mod:`.api`: the API reference pages, generated from the package;
- :mod:`.numbering`: chapter numbers that run on across the parts' toctrees;
- :mod:`.pdf`: the printed book (its root document, parts, front matter and
  appendices, proofs set as in a textbook, code hidden in print);
- :mod:`.mathjax`: MathJax served by the built site (offline math);
- :mod:`.links`: repository and launch buttons only when an address is set;
- :mod:`.checked`: the test that checks each rate theorem, shown under it,
  and the generated index of checked results;
- :mod:`.lean`: pickled doctrees and environment no bigger than their content
  (a rebuild loads every doctree);
- :mod:`.incremental`: a rebuild in which no document was read keeps the
  figure numbers and formatted citations of the previous build; the search
  index keeps its index entries across rebuilds (Sphinx drops them).
"""
