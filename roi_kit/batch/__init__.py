"""The analyst's batch: units, plan, run (local processes or a Dask cluster), the warm kernel,
the manifest and summary, and the portfolio page."""
