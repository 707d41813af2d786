"""Run deep, call-heavy Python (WeasyPrint's layout) without CPython 3.11's frame-stack churn,
and without the cyclic garbage collector's passes while it runs.

CPython 3.11 keeps the frames of Python calls in chunks of 16 KiB. When a call needs more room
than its chunk has left, a new chunk is mapped (mmap), and it is unmapped (munmap) as soon as
that call returns. A program that keeps calling across that boundary maps and unmaps a chunk
on every such call (python/cpython#142183; 3.13 and 3.14 now keep one chunk, 3.11 does not).
WeasyPrint's recursive layout does: a 学生信息表 made ~700 mmap/munmap pairs (strace), and they
and their page faults took ~20 % of its layout. `in_one_chunk` calls a function from a frame
with ROOM_SLOTS unused local variables: CPython opens a 256 KiB chunk for that frame, and the
calls beneath it (the layout) find their room in what is left of it, ~96 KiB; a sheet's or a
letter's layout needs ~19 KiB at its deepest (sys.setprofile). tests/test_framestack.py sees
the churn in the page faults: 10 sheets 220-2,100 by the caller's depth, ~44 in one chunk.
With the collector paused too, a 学生信息表 is laid out and written in 24-26 ms instead of
31-34 (docs/benchmarks.md).

The collector is paused because a layout makes hundreds of thousands of objects and its passes
over them (and over everything older) cost ~17 %; one collection of what the call made runs
at the end instead (its cycles are freed then, not along the way).
"""
from __future__ import annotations

import gc
import types
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

ROOM_SLOTS = 20_000  # ×8 bytes: a 156 KiB frame opens a 256 KiB chunk, ~96 KiB free beneath it


def _call_with_room(function: Callable, args: tuple):
    return function(*args)


# the same function with ROOM_SLOTS more local variables, which nothing reads or writes: its
# frame is that much larger (4 ms to make at import; compiling it from source took 27)
_code = _call_with_room.__code__
_code = _code.replace(co_varnames=_code.co_varnames + tuple(f"_{i}" for i in range(ROOM_SLOTS)),
                      co_nlocals=_code.co_nlocals + ROOM_SLOTS)
_call = types.FunctionType(_code, globals(), "call")


def in_one_chunk(function: Callable[..., T], *args) -> T:
    """function(*args), its calls kept in one chunk of the frame stack and the garbage
    collector paused until it returns (then one collection)."""
    paused = gc.isenabled()  # not when a caller (another thread) has paused it already
    gc.disable()
    try:
        return _call(function, args)
    finally:
        if paused:
            gc.enable()
            gc.collect(0)  # the objects made since it was paused, not the whole heap
