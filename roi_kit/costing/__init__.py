"""Contact-level cost construction from interaction exports (ACD / CRM / payroll).

Build cost bottom-up from each contact instead of allocating an average::

    from roi_kit.costing import analyse, write_outputs
    result = analyse("contacts.parquet", {"default_hourly_cost": 30})
    result.summary["cost_per_resolution"], result.tables["by_channel"], result.baseline_yaml()

Formulas are in :mod:`roi_kit.costing.tables`; data-quality rules in :mod:`roi_kit.costing.quality`;
the mapping (columns, values, missing codes, constants, timestamps, event logs) in
:mod:`roi_kit.costing.schema`; a starter mapping guessed from an export in
:mod:`roi_kit.costing.guess`; the starter case with its provenance in :mod:`roi_kit.costing.starter`.
"""

from roi_kit.costing.output import write_outputs
from roi_kit.costing.schema import Mapping, Rates, load_mapping, load_rates
from roi_kit.costing.synthetic import contacts_frame, write_contacts
from roi_kit.costing.tables import CostingResult, analyse

__all__ = ["CostingResult", "Mapping", "Rates", "analyse", "contacts_frame", "load_mapping",
           "load_rates", "write_contacts", "write_outputs"]
