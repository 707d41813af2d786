"""The response contract (responses.py): a message never replaces the page it answers."""
import pytest

from extensions import db
from models import EarlyWarning
from tests.test_access import _url_args

WARNINGS = "http://localhost/attendance/warnings?status=open"


@pytest.fixture
def close_url(world):
    """Closing an open warning: refused without saying what was done."""
    defaults, _ = _url_args(world, world.s_a1_other)
    return f"/attendance/warnings/{defaults['warning_id']}/close"


def _still_open(close_url) -> bool:
    warning_id = int(close_url.split("/")[3])
    return db.session.get(EarlyWarning, warning_id).status == "open"


def test_a_message_to_htmx_is_plain_text_for_the_message_area(close_url, login):
    answer = login("head").post(close_url, data={"action": ""}, headers={"HX-Request": "true"})
    assert answer.status_code == 422 and answer.mimetype == "text/plain"
    assert answer.text.startswith("请写明做了什么")  # app.js shows it; nothing is swapped
    assert _still_open(close_url)


def test_a_message_to_a_plain_post_goes_back_to_its_page(close_url, login):
    head = login("head")
    answer = head.post(close_url, data={"action": ""}, headers={"Referer": WARNINGS})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/attendance/warnings?status=open"
    page = head.get(answer.headers["Location"]).text
    assert '<p class="msg error">请写明做了什么' in page and "<table" in page
    assert _still_open(close_url)


def test_no_page_to_go_back_to_gives_the_error_page_with_the_menu(close_url, login):
    head = login("head")
    for referrer in (None, "http://elsewhere.example/page"):
        answer = head.post(close_url, data={"action": ""},
                           headers={"Referer": referrer} if referrer else {})
        assert answer.status_code == 422
        assert "请写明做了什么" in answer.text and 'class="main-nav"' in answer.text
    gone = head.get("/students/2147483647", headers={"Referer": "http://localhost/students/"})
    assert gone.status_code == 303 and gone.headers["Location"] == "/students/"
    again = head.get("/students/2147483647",
                     headers={"Referer": "http://localhost/students/2147483647"})
    assert again.status_code == 404  # never sent back to the failing address itself
