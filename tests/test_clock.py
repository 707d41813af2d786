"""clock.today(): the app's one "today", pinned by a test run (PINNED_TODAY) so that a suite
that runs past midnight reads one day in the app, the print worker and the tests."""
from datetime import date

import clock
from tests import TODAY


def test_the_suite_pins_the_apps_day_to_its_own(app):
    assert clock.today() == TODAY
    assert app.config["PINNED_TODAY"] == TODAY.isoformat()


def test_a_pinned_day_is_what_the_app_fills_in_and_only_a_testing_app_may_pin_one(make_app):
    from blueprints.activities.forms import ActivityForm
    app = make_app(PINNED_TODAY="2031-03-03")
    with app.test_request_context():
        assert clock.today() == date(2031, 3, 3)
        assert ActivityForm().held_on.data == date(2031, 3, 3)  # the form's default date
        app.config["TESTING"] = False  # a server's config: the setting is ignored
        assert clock.today() == date.today()
    assert clock.today() == date.today()  # outside an app: the server's date
