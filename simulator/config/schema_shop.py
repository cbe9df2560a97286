"""The config schema of the shop floor beyond lines: routings (``network.routings``), tools
(``network.tools``), shift calendars and overtime (``calendar`` of a plant or a line) and crews
(``crews`` of a plant, ``crew`` of a line). Every key is optional: without them lines run around
the clock, each family is made in one operation, and nothing waits for people or tools."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict, model_validator

from simulator.engine.params import Count, DistSpec, Invalid, Names, NonNeg, Positive, Section, Text

Hours = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=24)]
WeekDays = Annotated[int, Strict(), Field(ge=1, le=7)]
Day = Annotated[int, Strict(), Field(ge=0)]


class OvertimeCfg(Section):
    """Work past the end of a shift while the line still has orders, up to a cap per day."""

    max_hours_per_day: NonNeg = Field(description="overtime hours a line may work after its shift, per day")
    cost_per_hour: NonNeg = Field(0.0, description="money per overtime hour of the line (its crew)")


class CalendarCfg(Section):
    """When a line is staffed: ``hours_per_day`` from the start of each working day."""

    hours_per_day: Hours = Field(description="shift hours per working day (24 = around the clock)")
    days_per_week: WeekDays = Field(7, description="working days per week; day 0 of the run starts a week")
    holidays: list[Day] = Field([], description="run days (0, 1, ...) without a shift")
    overtime: OvertimeCfg | None = Field(None, description="overtime allowed after the shift; null = none")

    @model_validator(mode="after")
    def _fits(self) -> CalendarCfg:
        if self.overtime is not None and self.overtime.max_hours_per_day > 24 - self.hours_per_day + 1e-9:
            raise Invalid("overtime.max_hours_per_day", self.overtime.max_hours_per_day,
                          f"shift plus overtime must fit in a day: at most {24 - self.hours_per_day:g} hours "
                          f"after a {self.hours_per_day:g}-hour shift")
        return self


class BufferCfg(Section):
    """A semi-finished stock after an operation (the decoupling point), replenished by (s, S)."""

    s: NonNeg = Field(description="reorder when the buffer's position falls to s")
    S: NonNeg = Field(description="order up to S")
    initial: NonNeg | None = Field(None, description="units on hand at the start (default: S)")

    @model_validator(mode="after")
    def _ordered(self) -> BufferCfg:
        if self.s > self.S:
            raise Invalid("s", self.s, f"(s, S) needs s <= S; S is {self.S:g}")
        return self


class OperationCfg(Section):
    """One operation of a routing: the line it runs on (of any plant) and how long it takes there."""

    plant: Text = Field(description="the plant of the line")
    line: Text = Field(description="the line that runs this operation")
    rate: Positive | None = Field(None, description="units per day (default: the line's speed)")
    unit_time: DistSpec | None = Field(None, description="days per unit (default: the line's)")
    batch_time: DistSpec | None = Field(None, description="days per batch (default: the line's)")
    changeover: DistSpec | None = Field(None, description="days lost switching the line to this family "
                                        "(default: the line's)")
    changeover_cost: NonNeg | None = Field(None, description="cost per changeover (default: the line's)")
    transfer_days: NonNeg = Field(0.0, description="days to move the output to the next operation")
    stock_after: BufferCfg | None = Field(None, description="a semi-finished stock after this operation: the "
                                          "operations up to it are made to stock; null = flow through")

    @model_validator(mode="after")
    def _one_speed(self) -> OperationCfg:
        given = [k for k in ("rate", "unit_time", "batch_time") if getattr(self, k) is not None]
        if len(given) > 1:
            raise Invalid("rate", given, "give at most one of rate, unit_time or batch_time (none: the line's)")
        return self


class ToolCfg(Section):
    """A tool or mould a line needs to make its families; ``count`` lines can hold one at a time."""

    families: Names = Field(min_length=1, description="families made with this tool")
    count: Count = Field(1, description="copies of the tool (lines that can hold one at the same time)")
