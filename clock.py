"""The one "today" of the app: every date the app stamps, fills in, or compares with is
clock.today(), the server's date.

A test run pins its day instead (PINNED_TODAY in the config of a TESTING app, an ISO date the
print worker receives with the rest of the config), so that a suite that runs past midnight
reads one day in the app, the print worker and the tests alike: a run from 23:57 to 00:02 UTC
failed 7 tests when the app's date moved on and the tests' did not. Outside tests the setting is
ignored: nothing can make a township's records carry a day that is not the server's."""
from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today() -> date:
    if has_app_context() and current_app.config.get("TESTING"):
        pinned = current_app.config.get("PINNED_TODAY")
        if pinned:
            return date.fromisoformat(pinned)
    return date.today()
