"""The case layer: what a CX leader writes for one business unit, read, checked and written back.

``schema`` (the pydantic models), ``overrides`` (scenarios and what-ifs), ``files`` (read and write
YAML/JSON), ``problems`` (one-line messages), ``fields`` (introspection for the form and the
register). Imports nothing of roi_kit but :mod:`roi_kit.errors` and :mod:`roi_kit._io`.
"""

from roi_kit.case.fields import FieldDoc, InputRow, field_doc, iter_inputs
from roi_kit.case.files import (
    EXAMPLE,
    case_yaml,
    load_case,
    read_case_file,
    save_case,
)
from roi_kit.case.overrides import apply_overrides
from roi_kit.case.schema import (
    PILLAR_LABELS,
    PILLARS,
    SCALE_SHORTCUTS,
    SCENARIOS,
    Case,
    canonical_json,
)

__all__ = [
    "EXAMPLE", "PILLARS", "PILLAR_LABELS", "SCALE_SHORTCUTS", "SCENARIOS", "Case", "FieldDoc", "InputRow",
    "apply_overrides", "canonical_json", "case_yaml", "field_doc", "iter_inputs", "load_case",
    "read_case_file", "save_case",
]
