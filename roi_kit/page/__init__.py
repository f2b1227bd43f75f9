"""The shared page kit: number formatting (``fmt``), the plotly theme (``theme``), text fitting
(``text``), HTML pieces (``html``: escaping, tables, KPI tiles, figures), the plotly.js bundle
(``bundle``) and resources (``resources``: template folder, version, generation stamp).

Used by the board report, the costing page, the portfolio and the form; imports nothing of roi_kit
but :mod:`roi_kit.case` and :mod:`roi_kit.errors`.
"""
