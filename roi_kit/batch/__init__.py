"""The analyst's batch: units, plan, run (local processes or a Dask cluster), the warm kernel,
the manifest and summary, and the portfolio page."""

from roi_kit._io import skip_iri_format_check

# every batch module reaches nbformat (papermill, the kernel): skipping the "iri" check before it
# is first imported keeps `import nbformat` at 0.4 s instead of 1.6 s, in the client and every worker
skip_iri_format_check()
