"""framestack.in_one_chunk: a layout under it maps no new frame-stack chunks (CPython 3.11 maps
and unmaps a 16 KiB chunk on every call that crosses a chunk's end, python/cpython#142183),
seen in the process's page faults, and the garbage collector is paused only while it runs."""
import gc
import resource
import sys

import pytest

import framestack
import pdf

SHEET = ("<h1>学生信息表</h1><table class='facts'>"
         + "<tr><th>姓名</th><td>张三</td><th>性别</th><td>男</td></tr>" * 8
         + "</table><table class='sign'><tr><td>班主任（签字）：</td><td>日期：</td></tr></table>")


def faults(call) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    call()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def at_depth(depth: int, call):
    """call() made `depth` Python calls deeper: a layout crosses a chunk's end at some depths."""
    return at_depth(depth - 1, call) if depth else call()


@pytest.mark.one_engine("sqlite")  # no database in it
@pytest.mark.skipif(sys.version_info >= (3, 13), reason="CPython 3.13 keeps one chunk itself")
def test_a_layout_in_one_chunk_makes_no_chunk_churn(app):
    lay_out = pdf._lay_out(app.static_folder, app.instance_path)

    def ten():
        for _ in range(10):
            lay_out(SHEET)
    ten()  # fonts, caches and the allocator's first pages
    plain = [faults(lambda: at_depth(depth, ten)) for depth in range(0, 40, 2)]
    framestack.in_one_chunk(ten)  # the pages the plain layouts gave back, taken again
    kept = [faults(lambda: at_depth(depth, lambda: framestack.in_one_chunk(ten)))
            for depth in range(0, 40, 2)]
    # measured: plain 220-2,100 by depth; kept ~44 at every depth (the chunk's own pages)
    assert max(kept) < 150 and max(plain) > 5 * max(kept), (plain, kept)


def test_in_one_chunk_returns_the_value_and_pauses_the_collector_only_while_it_runs():
    assert framestack.in_one_chunk(lambda a, b: (a, b, gc.isenabled()), 1, 2) == (1, 2, False)
    assert gc.isenabled()
    gc.disable()
    try:  # paused by someone else: left paused
        assert framestack.in_one_chunk(lambda: gc.isenabled()) is False
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError):
        framestack.in_one_chunk(lambda: 1 / 0)
    assert gc.isenabled()
