"""The board report: charts, narrative, tables, methodology, the notebook's section runner
(``sections``) and the export (``export``: execute, HTML, PDF). Imports the case, model and page
layers only.
"""
