"""Benefits tracking: an approved case set against what happened, month by month.

``actuals`` reads and checks a long table of monthly actuals (``month,metric,value``);
``reforecast`` sets them against the plan (status per metric, realised against planned net benefit
to date, the bridge between them) and re-evaluates the case with the months to date replaced by
actuals (:class:`roi_kit.model.cashflows.MonthlyOverrides`); ``charts`` and ``page`` draw the
tracking page with the board report's page kit. Imports case, model, page and board only::

    from roi_kit.track import read_actuals, track, write_page
    tracking = track(case, read_actuals("actuals.csv", case))
    tracking.reforecast.npv, tracking.metrics[0].status
"""

from roi_kit.track.actuals import Actuals, read_actuals
from roi_kit.track.reforecast import MetricTrack, Tracking, track, tracking_json

__all__ = ["Actuals", "MetricTrack", "Tracking", "read_actuals", "track", "tracking_json"]
