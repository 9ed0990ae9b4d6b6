"""A derived figure as data: the operation, its cited operands, the formula, and the result or why there is none."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

OPERATIONS = ("change", "percentage change", "average", "sum", "share", "ratio", "count")


@dataclass(frozen=True, slots=True)
class Operand:
    """A cited figure a derivation uses: its text as written, exact value, row label, column or period,
    unit and scale, and the citation (passage number) it comes from; `match` is how well it fitted its
    description, 0..1."""

    name: str  # what the question called it: "Net sales, 2019"
    text: str  # as written: "(3.1)", "$ 4,421.8"
    value: Decimal
    row_label: str
    column: str  # the column header, or the sentence's period for a prose figure
    period: str | None
    unit: str | None  # "USD", "%", None
    scale: str | None  # "thousand", "million", None
    citation: int
    match: float = 1.0
    table: int | None = None  # the table's place in its document; None for a figure in prose
    doc: str = ""  # the document the figure is in

    @property
    def label(self) -> str:
        """ "Net cash provided by operating activities, 2019"."""
        where = self.period or self.column
        return f"{self.row_label}, {where}" if where and where not in self.row_label else self.row_label


@dataclass(frozen=True, slots=True)
class Derivation:
    """A figure computed from cited figures, or a refusal saying which operand was not found or why the
    operands do not combine (`value` is then None).

    `value` is exact; `shown` is it rounded as printed (two decimals for percentages and ratios); `unit` is
    "percent", "percentage points", a currency, "count" or None, and `scale` the operands' scale word.
    `features` holds what a confidence for it would use: the weakest operand match and the count of operands.
    """

    operation: str
    operands: tuple[Operand, ...]
    formula: str
    value: Decimal | None
    shown: Decimal | None
    unit: str | None
    scale: str | None
    refusal: str | None = None
    features: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The result as the answer line prints it: "+9.74 percent", "-2,383 USD thousand", "3"."""
        from assistant.derivations.arithmetic import signed, written

        if self.shown is None:
            return ""
        number = (
            signed(self.shown) if self.operation in ("change", "percentage change") else written(self.shown)
        )
        words = " ".join(w for w in (self.unit if self.unit != "count" else None, self.scale) if w)
        return f"{number} {words}".strip()

    @property
    def working(self) -> str:
        """ "+9.74 percent = (4,421.8 - 4,029.3) / 4,029.3 x 100"."""
        return f"{self.text} = {self.formula}" if self.formula else self.text
