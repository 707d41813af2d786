"""The suite's one day: the apps the tests make are pinned to it (conftest's PINNED_TODAY, read by
clock.today()), and the tests compare with it, so a run that goes past midnight still reads one
day everywhere."""
from datetime import date

TODAY = date.today()
