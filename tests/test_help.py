"""帮助: the user guide in the app, its own table of contents and screenshots working, each
area's 帮助 opening at its section; the monthly meeting's presentation without the menu."""
import re

from blueprints.home import guide


def test_the_guide_is_in_the_app_with_its_anchors_and_pictures(world, login):
    head = login("head")
    page = head.get("/help").text
    ids = set(re.findall(r'<h2 id="([^"]+)"', page))
    links = set(re.findall(r'href="#([^"]+)"', page))
    assert links and links <= ids  # the guide's own table of contents
    assert set(guide.SECTIONS.values()) <= ids  # every area's 帮助 lands on a heading
    images = re.findall(r'<img alt="[^"]*" loading="lazy" src="([^"]+)"', page)
    assert len(images) >= 20
    with head.get(images[0]) as picture:
        assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG")
    assert head.get("/help/img/../README.md").status_code == 404
    assert head.get("/help/img/README.md").status_code == 404
    records = head.get("/records/").text
    assert 'href="/help#20-非正常学籍清理">帮助</a>' in records


def test_the_meeting_presents_without_the_menu(world, login):
    from datetime import date
    from extensions import db
    from models import Meeting
    meeting = Meeting(central_id=world.central_a.id, month=date(2026, 11, 1),
                      held_on=date(2026, 12, 3), agenda="一、通报情况")
    db.session.add(meeting)
    db.session.commit()
    officer = login("officer")
    page = officer.get(f"/meetings/{meeting.id}/present").text
    assert 'class="main-nav"' not in page and 'data-key="next"' in page and "data-fullscreen" in page
    assert '月度推进会</a>' in officer.get("/").text  # in the menu
