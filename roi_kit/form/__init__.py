"""The CX leader's input form (ipywidgets): text entry, the node tree built from the case models,
and the controller that validates, evaluates and redraws as the user types."""
