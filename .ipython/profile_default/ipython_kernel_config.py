# IPython kernel settings for executing the book's chapters (read through IPYTHONDIR,
# set in conf.py). SVG figures for the HTML pages, PDF figures for the printed book,
# both reproducible: fixed SVG ids (hash salt) and no dates (SOURCE_DATE_EPOCH).
c = get_config()  # noqa: F821
c.InlineBackend.figure_formats = {"svg", "pdf"}
c.InlineBackend.rc = {
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "optbook",
    "svg.fonttype": "path",
}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight"}
c.HistoryManager.enabled = False
