"""Imported first by the command line: start-up costs the commands never need.

jsonschema imports ``rfc3987_syntax`` (1.2 s) when it is installed, only to check "iri" formats
that no schema here uses; nbformat (so papermill and nbconvert) would pay it on every command,
and the batch's forked workers inherit the skip.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
