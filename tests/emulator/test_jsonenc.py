"""The fast JSON encoder writes exactly what google.protobuf.json_format writes."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.emulator.gen.dashboards.v1 import dashboards_pb2 as pb
from reconciler.emulator.jsonenc import JsonEncoder

text = st.text(max_size=8)
int32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
enum_number = st.integers(min_value=0, max_value=7)  # includes unknown numbers


@st.composite
def timestamps(draw: Any) -> Timestamp | None:
    if not draw(st.booleans()):
        return None
    stamp = Timestamp()
    stamp.FromMicroseconds(draw(st.integers(min_value=0, max_value=4_000_000_000_000_000)))
    return stamp


@st.composite
def tiles(draw: Any) -> pb.Tile:
    tile = pb.Tile(id=draw(text), type=draw(enum_number))
    if draw(st.booleans()):
        tile.position.CopyFrom(
            pb.Position(x=draw(int32), y=draw(int32), w=draw(int32), h=draw(int32))
        )
    if draw(st.booleans()):
        query = pb.Query(
            events=[pb.Event(name=name) for name in draw(st.lists(text, max_size=3))],
            granularity=draw(enum_number),
            aggregation=draw(enum_number),
        )
        insight = pb.Insight(visualization=draw(enum_number))
        if draw(st.booleans()):
            insight.query.CopyFrom(query)
        tile.insight.CopyFrom(insight)
    if draw(st.booleans()):
        tile.markdown.CopyFrom(pb.Markdown(content=draw(text)))
    return tile


@st.composite
def answers(draw: Any) -> Any:
    dashboard = pb.Dashboard(
        id=draw(text), name=draw(text), tiles=draw(st.lists(tiles(), max_size=4))
    )
    for field in ("created_at", "updated_at"):
        stamp = draw(timestamps())
        if stamp is not None:
            getattr(dashboard, field).CopyFrom(stamp)
    summary = pb.DashboardSummary(id=dashboard.id, name=dashboard.name)
    return draw(
        st.sampled_from(
            [
                pb.GetResponse(dashboard=dashboard),
                pb.UpsertResponse(),
                pb.ListResponse(
                    dashboards=[summary] * draw(st.integers(0, 2)), next_page_token=draw(text)
                ),
                pb.DeleteResponse(),
                dashboard,
            ]
        )
    )


@settings(max_examples=300, deadline=None)
@given(answers(), st.booleans())
def test_same_output_as_json_format(message: Any, always: bool) -> None:
    expected = json_format.MessageToDict(message, always_print_fields_with_no_presence=always)
    encoder = JsonEncoder(always_print_fields_with_no_presence=always)
    assert encoder.to_dict(message) == expected


def test_unsupported_types_fall_back() -> None:
    stamp = Timestamp(seconds=5)
    encoder = JsonEncoder(always_print_fields_with_no_presence=True)
    assert encoder.to_dict(stamp) == json_format.MessageToDict(stamp)
    from google.protobuf.struct_pb2 import Struct

    value = Struct()
    value.update({"a": 1.5, "b": [True, None]})
    assert encoder.to_dict(value) == json_format.MessageToDict(value)
