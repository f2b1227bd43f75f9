"""The house figure: the registered template given without re-validating it, the same figure."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from roi_kit.page import theme


def _validated(title: str, subtitle: str, height: int) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template=theme.TEMPLATE_NAME,
        height=height,
        title=dict(text=theme.safe_text(title), subtitle=dict(text=theme.safe_text(subtitle))),
    )
    return fig


def test_house_figure_is_the_validated_one_and_leaves_the_template_alone():
    fig = theme.figure("Savings <b>grow</b>", "per year", height=420)
    fig.add_trace(go.Bar(x=["a", "b"], y=[1, 2]))
    fig.update_xaxes(title_text="year")
    expected = _validated("Savings <b>grow</b>", "per year", 420)
    expected.add_trace(go.Bar(x=["a", "b"], y=[1, 2]))
    expected.update_xaxes(title_text="year")
    assert json.loads(pio.to_json(fig)) == json.loads(pio.to_json(expected))
    assert fig.layout.template.layout.font == expected.layout.template.layout.font
    # the figure holds its own copy: changing it does not change the registered template
    registered = pio.templates[theme.TEMPLATE_NAME].to_plotly_json()
    fig.layout.template.layout.font.size = 99
    assert pio.templates[theme.TEMPLATE_NAME].to_plotly_json() == registered
    assert theme.figure("x").layout.template.layout.font.size != 99


def test_a_figure_given_whole_is_the_one_built_step_by_step():
    """figure(data=..., layout=...) (one validation pass) draws what add_trace, add_vline,
    add_annotation and update_layout on figure() drew."""
    bar = go.Bar(x=[1.0, 2.0], y=["a", "b"], orientation="h", customdata=[["x"], ["y"]])
    stepwise = theme.figure("Title", "sub", height=380)
    stepwise.add_trace(bar)
    stepwise.add_vline(x=1.5, line=dict(color=theme.INK, width=1.5))
    stepwise.add_annotation(x=1.5, y=1.0, yref="paper", showarrow=False, text="base")
    stepwise.update_layout(barmode="overlay", margin=dict(t=120), yaxis=dict(autorange="reversed"))
    whole = theme.figure("Title", "sub", height=380, data=[bar], layout=dict(
        shapes=[dict(type="line", x0=1.5, x1=1.5, xref="x", y0=0, y1=1, yref="y domain",
                     line=dict(color=theme.INK, width=1.5))],
        annotations=[dict(x=1.5, y=1.0, yref="paper", showarrow=False, text="base")],
        barmode="overlay", margin=dict(t=120), yaxis=dict(autorange="reversed"),
    ))
    assert json.loads(pio.to_json(whole)) == json.loads(pio.to_json(stepwise))
