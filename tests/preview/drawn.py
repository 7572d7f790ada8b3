"""Reading back what a preview page draws: its tiles, a funnel's steps, a legend, the
colors of each series (from the HTML), and whether labels are seen (in a browser). Tests
check the picture a reader sees through these, not the numbers before drawing."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tests.support.browser import Tab


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def find(self, tag: str = "", cls: str = "") -> list[Node]:
        """Every descendant with this tag and/or class, in document order."""
        found = []
        for child in self.children:
            if (not tag or child.tag == tag) and (not cls or cls in child.classes()):
                found.append(child)
            found += child.find(tag, cls)
        return found

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)


VOID = {"meta", "link", "br", "img", "input", "hr"}


class Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node("#text", {}, data))


def parse(html: str) -> Node:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def tiles_of(html: str) -> dict[str, Node]:
    return {node.attrs["data-tile-id"]: node for node in parse(html).find("article")}


@dataclass(frozen=True)
class DrawnStep:
    label: str
    width: float  # of the step's bar
    count: int  # the number printed beside it
    share: float  # the percent of the first step printed beside it


def drawn_funnel(html: str, tile_id: str) -> list[DrawnStep]:
    """The steps the funnel tile ``tile_id`` of a one-grid page draws."""
    return funnel_of(tiles_of(html)[tile_id])


def funnel_of(tile: Node) -> list[DrawnStep]:
    """The steps a funnel tile draws, read from its SVG."""
    steps = []
    for group in tile.find("g", "step"):
        [label] = group.find("text", "label")
        [bar] = group.find("rect", "bar")
        [count] = group.find("text", "count")
        number, _, percent = count.all_text().partition(" \u00b7 ")
        steps.append(DrawnStep(label.all_text(), float(bar.attrs["width"]),
                               int(number.replace(",", "")), float(percent.rstrip("%"))))
    return steps


def series_colors(tile: Node) -> dict[int, set[str]]:
    """The colors each drawn series (``data-series``) is painted in."""
    colors: dict[int, set[str]] = {}
    for node in tile.find("svg")[0].find():
        if "data-series" in node.attrs:
            paint = {node.attrs.get("stroke"), node.attrs.get("fill")}
            style = node.attrs.get("style", "")
            if style.startswith("fill:"):
                paint.add(style.removeprefix("fill:"))
            colors.setdefault(int(node.attrs["data-series"]), set()).update(
                p for p in paint if p and p.startswith("#"))
    return colors


def legend(tile: Node) -> list[tuple[str, str]]:
    """(name, swatch color) of each legend entry naming a drawn series."""
    entries = []
    for item in tile.find("li", "entry"):
        [swatch] = item.find("i", "swatch")
        entries.append((item.all_text(), swatch.attrs["style"].removeprefix("background:")))
    return entries


def notes(html: str) -> list[Node]:
    return parse(html).find(cls="sample-note")


LABELS = """() => [...document.querySelectorAll('.tile')].map(tile => {
  const box = tile.getBoundingClientRect();
  const seen = element => {
    const r = element.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {text: element.innerText, hit: hit === element || element.contains(hit),
            inside: r.left >= box.left - 1 && r.right <= box.right + 1
                    && r.top >= box.top - 1 && r.bottom <= box.bottom + 1};
  };
  return {id: tile.dataset.tileId, chart: tile.querySelector('svg.chart') !== null,
          sample: [...tile.querySelectorAll('.sample')].map(seen),
          legend: [...tile.querySelectorAll('.series li')].map(seen)};
})"""


def labels(tab: Tab) -> dict[str, dict[str, Any]]:
    """Per tile: its "sample data" labels and legend entries, each with its text, whether it
    lies inside the tile's box, and whether it is what a reader sees at its centre."""
    return {tile["id"]: tile for tile in tab.page.evaluate(LABELS)}


def assert_seen(found: dict[str, Any], what: str) -> None:
    assert found["inside"] and found["hit"], f"{what}: {found}"
