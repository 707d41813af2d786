"""Security review, as tests (docs/security.md lists what was tried and where it is checked):
CSRF on every write endpoint, headers and cookie flags, script payloads in text fields rendered
escaped in pages and PDFs, SQL-looking input treated as text."""
import inspect
import itertools
import re
import subprocess
from io import BytesIO
from pathlib import Path

from extensions import db
from models import AuditLog, ActivityPhoto, CaseStep, HomeVisit, Meeting, Pledge, Student
from tests import TODAY
from tests import factories as f
from tests.test_access import _url_args, endpoint_urls
from tests.test_csrf import _sign_in

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SHORT = "<script>alert(1)</script>"  # for fields of 40 characters (PostgreSQL enforces them)


def test_every_write_endpoint_refuses_a_request_without_the_csrf_token(csrf_app):
    world = f.World()
    victim = f.student(world.a1, world.class_a1, name="误登记")
    db.session.commit()
    defaults, specific = _url_args(world, victim)
    officer = _sign_in(csrf_app, "officer")
    written = db.session.query(AuditLog).count()
    tried = []
    for rule, url in endpoint_urls(csrf_app, defaults, specific):
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            response = officer.open(url, method=method, data={"name": "无令牌"})
            assert response.status_code in (400, 403), f"{method} {url}"
            if response.status_code == 400:
                assert "安全校验未通过" in response.text, f"{method} {url}"
            tried.append(url)
    assert len(tried) > 60
    db.session.expire_all()
    assert db.session.query(AuditLog).count() == written  # nothing was written
    assert db.session.get(Student, victim.id) is not None


def test_security_headers_and_session_cookie_flags(world, client):
    response = client.post("/login", data={"username": "head", "password": f.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/students/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"


def _texts_with_the_payload(world):
    """Put the payload in the free-text fields users type: a child, a guardian, a visit, a
    case step, a meeting's agenda and minutes."""
    defaults, _ = _url_args(world, world.s_a1_other)
    child = world.s_a1
    child.name, child.address, child.notes = "张" + SHORT, PAYLOAD, PAYLOAD
    child.guardians[0].name = SHORT
    visit = db.session.get(HomeVisit, defaults["visit_id"])
    visit.situation, visit.next_step, visit.visitors = PAYLOAD, PAYLOAD, PAYLOAD
    db.session.add(CaseStep(case_id=defaults["case_id"], on=visit.visited_on, to_state="persuading",
                            from_state="suspected", note=PAYLOAD))
    meeting = db.session.get(Meeting, defaults["meeting_id"])
    meeting.agenda = meeting.minutes = PAYLOAD
    meeting.place = SHORT
    db.session.commit()
    return defaults


def test_script_payloads_in_text_fields_render_escaped(world, login):
    defaults = _texts_with_the_payload(world)
    pages = {
        "head": ["/students/", f"/students/{world.s_a1.id}", "/cases/visits/",
                 f"/cases/{defaults['case_id']}", "/attendance/warnings", "/responsibility/"],
        "officer": ["/students/?q=张", f"/meetings/{defaults['meeting_id']}", "/dashboard/",
                    f"/meetings/{defaults['meeting_id']}/present"],
    }
    for username, urls in pages.items():
        client = login(username)
        for url in urls:
            html = client.get(url).text
            assert "<script>alert" not in html and "<img src=x" not in html, url
    shown = login("head").get(f"/students/{world.s_a1.id}").text
    assert "张&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in shown


def test_script_payloads_print_as_plain_text_in_pdfs(world, login):
    defaults = _texts_with_the_payload(world)
    client = login("head")
    response = client.get(f"/cases/visits/{defaults['visit_id']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert '<script>alert("x")</script>' in text.replace("\n", "")


def test_sql_looking_input_is_only_text(world, login):
    head = login("head")
    for q in ("' OR '1'='1", "张三'; DROP TABLE students; --", "%", "_"):
        page = head.get("/students/", query_string={"q": q})
        assert page.status_code == 200
        assert world.s_a1_other.name not in page.text.split("<tbody")[-1], q
    world.s_a1.notes = "Robert'); DROP TABLE students;--"
    db.session.commit()
    assert head.get(f"/students/{world.s_a1.id}").status_code == 200
    assert db.session.query(Student).count() == 4


BIG = ("2147483648", "99999999999999999999999")  # past PostgreSQL's integer; past SQLite's


def _names_read(view) -> set[str]:
    """The query and form parameters the view's blueprint reads (request.args.get("page") …)."""
    folder = Path(inspect.getsourcefile(view)).parent
    text = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))
    return set(re.findall(r"(?:args|values|form|params)\.get\(\"(\w+)\"", text))


def test_numbers_out_of_range_are_404_or_ignored_never_500(app, world, login, blank_layout):
    """Issue 16 (5): /students/99999999999999999999999 was a 500 (OverflowError in SQLite).
    Every <int:…> of every route past the database's integer is a 404; every number a
    blueprint reads from the query string, that large, is ignored or a 404, never a 500."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is answered, not raised into the test
    defaults, specific = _url_args(world, f.student(world.a1, world.class_a1, name="误登记"))
    officer = login("officer")
    tried = 0
    for rule, url in endpoint_urls(app, defaults, specific):
        if "<int:" in rule.rule and rule.endpoint != "auth.logout":
            for big, method in itertools.product(BIG, rule.methods - {"HEAD", "OPTIONS"}):
                huge = re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", big, rule.rule))
                assert officer.open(huge, method=method).status_code == 404, f"{method} {huge}"
                tried += 1
        if "GET" not in rule.methods:
            continue
        path, _, query = url.partition("?")
        names = sorted(_names_read(app.view_functions[rule.endpoint]))
        queries = ["&".join(f"{name}={BIG[1]}" for name in names)]  # all at once
        if not path.endswith((".pdf", ".xlsx", ".docx")):  # files read the pages' parameters
            queries += [f"{name}={BIG[1]}" for name in names]  # a 404 on one hides the rest
        for extra in queries:
            assert officer.get(f"{path}?{query}&{extra}").status_code < 500, f"{path}?{extra}"
            tried += 1
    assert tried > 400


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(app, world, login,
                                                                       monkeypatch):
    """Issue 16 (4): a 94 KB PNG of 10,000 x 10,000 pixels was accepted as an activity photo,
    its print copy taking ~480 MB of the server's memory. Its size is read from the header and
    it is refused, with the Chinese reason, as an activity photo, a pledge's scan and a home
    visit's photo, without a pixel decoded; nothing is stored. 6,000 x 6,000 (36 MP) passes."""
    from PIL import ImageFile

    from tests.test_activities import count, form, post, stored
    huge = f.png_of(10_000, 10_000)
    assert len(huge) < 200_000
    defaults, _ = _url_args(world, world.s_a1_other)
    monkeypatch.setattr(ImageFile.ImageFile, "load", _decoded)
    reason = "图片像素太多（10000×10000，约 10000 万像素），最多 4000 万像素"
    head = login("head")
    photo = post(head, "/activities/new", form(school_id=world.a1.id), [("大图.png", huge)])
    assert photo.status_code == 422 and reason in photo.text
    assert 'value="学校会议室"' in photo.text  # what was typed stays
    assert count(ActivityPhoto) == 1 and stored(app) == []  # _url_args' photo only
    scan = head.post(f"/pledges/{defaults['pledge_id']}/scan",
                     data={"file": (BytesIO(huge), "签字.png")})
    assert scan.status_code == 422 and reason in scan.text
    assert db.session.get(Pledge, defaults["pledge_id"]).scan_path is None
    visits = db.session.query(HomeVisit).count()
    visit = head.post(f"/cases/visits/new?student={world.s_a1.id}", data={
        "visited_on": TODAY.isoformat(), "visitors": "杨老师", "met": "母亲",
        "outcome": "in_school", "situation": "孩子在家。", "file": (BytesIO(huge), "家访.png")})
    assert visit.status_code == 422 and reason in visit.text and "孩子在家。" in visit.text
    assert db.session.query(HomeVisit).count() == visits

    monkeypatch.undo()  # decoding allowed again: an image under the limit is accepted
    fine = post(head, "/activities/new", form(school_id=world.a1.id),
                [("可以.png", f.png_of(6_000, 6_000))])
    assert fine.status_code == 303, fine.text


def _decoded(self, *args, **kwargs):
    raise AssertionError("an image was decoded")
